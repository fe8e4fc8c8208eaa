using System.Text;
using CsCheck;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Contract;

public sealed class ArgvLimitTests
{
    private static readonly Gen<string[]> Argv =
        Gen.OneOf(
            Gen.String[Gen.Char.AlphaNumeric, 0, 40],
            Gen.String[Gen.Char['\u0001', '\uD7FF'], 0, 3000],
            Gen.Const("é€😀"),
            Gen.Const("/root/.aws/credentials"),
            Gen.String[Gen.Char['a', 'z'], 4000, 9000]).Array[1, 12];

    /// <summary>What /proc/PID/cmdline holds for <paramref name="args"/>: each argument's bytes and a NUL.</summary>
    private static byte[] Cmdline(IEnumerable<string> args) => Encoding.UTF8.GetBytes(string.Concat(args.Select(a => a + "\0")));

    /// <summary>The parts of a cmdline the native probe reads: its first MaxBytes + 1 bytes and, past that, its last TailBytes + 1.</summary>
    private static (IReadOnlyList<string>? Args, bool Truncated) Read(byte[] cmdline) => ArgvLimit.FromParts(
        cmdline.AsSpan(0, Math.Min(cmdline.Length, ArgvLimit.MaxBytes + 1)),
        cmdline.Length > ArgvLimit.MaxBytes ? cmdline.AsSpan(cmdline.Length - ArgvLimit.TailBytes - 1) : []);

    [Fact]
    public void Cap_AnyArgv_FitsTheLimit_KeepsItsStartAndItsEnd_AndMarksOnlyWhatItCut()
    {
        Argv.Sample(args =>
        {
            var process = new ProcessInfo { Args = args, Name = "cat" };
            ProcessInfo capped = ArgvLimit.Cap(process);
            if (Cmdline(args).Length <= ArgvLimit.MaxBytes)
            {
                Assert.Same(process, capped);
                return;
            }

            Assert.True(capped.ArgsTruncated);
            IReadOnlyList<string> kept = capped.Args!;
            Assert.True(Cmdline(kept).Length - 1 <= ArgvLimit.MaxBytes, $"{Cmdline(kept).Length - 1} bytes kept");
            // The first argument is kept (whole, or its start when it alone is longer than the head).
            Assert.StartsWith(kept[0], args[0], StringComparison.Ordinal);
            // A last argument that fits the tail is always there, whole, at the end: padding cannot hide it.
            if (Encoding.UTF8.GetByteCount(args[^1]) < ArgvLimit.TailBytes - 1 && args[^1].Length > 0)
            {
                Assert.Equal(args[^1], kept[^1]);
            }

            // Every kept argument is an argument of argv or a piece of one.
            Assert.All(kept, arg => Assert.Contains(args, original => original.Contains(arg, StringComparison.Ordinal)));
        }, iter: 3000);
    }

    [Fact]
    public void FromParts_ReadFromACmdline_IsWhatCapMakesOfTheSameArgv()
    {
        Argv.Sample(args =>
        {
            byte[] cmdline = Cmdline(args);
            (IReadOnlyList<string>? read, bool truncated) = Read(cmdline);
            ProcessInfo capped = ArgvLimit.Cap(new ProcessInfo { Args = args });

            Assert.Equal(cmdline.Length > ArgvLimit.MaxBytes, truncated);
            if (truncated)
            {
                Assert.Equal(capped.Args, read);
            }
            else if (args[^1].Length > 0)
            {
                Assert.Equal(args, read);
            }
        }, iter: 3000);
    }

    [Fact]
    public void FromParts_PaddingInTheMiddle_KeepsTheFirstAndTheLastArguments()
    {
        string[] args = ["cat", .. Enumerable.Repeat(new string('A', 120 * 1024), 16), "/root/.aws/credentials"];

        (IReadOnlyList<string>? read, bool truncated) = Read(Cmdline(args));

        Assert.True(truncated);
        Assert.Equal("cat", read![0]);
        Assert.Equal("/root/.aws/credentials", read[^1]);
        Assert.Equal(ArgvLimit.HeadBytes - 4, read[1].Length);
        Assert.True(read.Count <= 4);
    }

    [Fact]
    public void FromParts_WithoutItsTail_KeepsTheHead_AndAtTheLimitIsWhole()
    {
        byte[] cmdline = Cmdline(["cat", "/etc/shadow", new string('a', ArgvLimit.MaxBytes)]);

        (IReadOnlyList<string>? head, bool truncated) = ArgvLimit.FromParts(cmdline.AsSpan(0, ArgvLimit.MaxBytes + 1), []);
        (IReadOnlyList<string>? exact, bool exactTruncated) = ArgvLimit.FromParts(cmdline.AsSpan(0, 16), []);

        Assert.True(truncated);
        Assert.Equal(["cat", "/etc/shadow", new string('a', ArgvLimit.HeadBytes - 16)], head);
        Assert.False(exactTruncated);
        Assert.Equal(["cat", "/etc/shadow"], exact);
        Assert.Equal((null, false), ArgvLimit.FromParts([], []));
    }

    [Fact]
    public void FromParts_CutInsideACharacter_KeepsOnlyWholeCharacters()
    {
        // The head's limit falls inside a 4-byte character, and so does the tail's start.
        byte[] cmdline = Cmdline(["cat", new string('a', ArgvLimit.HeadBytes - 6) + string.Concat(Enumerable.Repeat("😀", 1000))]);

        (IReadOnlyList<string>? read, bool truncated) = Read(cmdline);

        Assert.True(truncated);
        Assert.Equal(new string('a', ArgvLimit.HeadBytes - 6), read![1]);
        Assert.Equal(string.Concat(Enumerable.Repeat("😀", (ArgvLimit.TailBytes / 4) - 1)), read[2]);
    }

    [Fact]
    public void BytesOf_GrowsWithTheArguments()
    {
        long small = ArgvLimit.BytesOf(new ProcessInfo { Args = ["a"] });
        long large = ArgvLimit.BytesOf(new ProcessInfo { Args = [new string('a', 1000)] });

        Assert.True(large - small >= 2 * 999);
    }
}
