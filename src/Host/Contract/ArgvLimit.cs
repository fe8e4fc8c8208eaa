using System.Text;
using Sigs.Plugins;

namespace Sigs.Host.Contract;

/// <summary>
/// The most of a process's argument vector Sigs keeps, reads or passes on: <see cref="MaxBytes"/> bytes counted as
/// <c>/proc/PID/cmdline</c> counts them (each argument's UTF-8 bytes and its NUL). Falco keeps the first 4,096 bytes
/// of exe and args, Tracee 8,191 bytes of argv, Tetragon 1,024 bytes in the exec event and the rest in up to ten
/// data messages. A sensor's argv is what the watched process chose, so without a cap any process could make Sigs
/// hold megabytes per process and write them into every finding. A longer argv keeps its first
/// <see cref="HeadBytes"/> and its last <see cref="TailBytes"/> less one, the NUL between them (whole arguments
/// there, the ones at the cuts cut to whole characters) and is marked with <see cref="ProcessInfo.ArgsTruncated"/>: padding the middle of argv
/// (<c>cat AAAA... /root/.aws/credentials</c>) does not push a path at its end out of sight.
/// </summary>
internal static class ArgvLimit
{
    public const int MaxBytes = 4096;
    public const int HeadBytes = 3072;
    public const int TailBytes = MaxBytes - HeadBytes;

    /// <summary>
    /// The arguments of a NUL-separated argv from its first bytes (<paramref name="head"/>: up to
    /// <see cref="MaxBytes"/> + 1 of them, all of it when shorter) and, when longer than <see cref="MaxBytes"/>,
    /// its last <see cref="TailBytes"/> + 1 (<paramref name="tail"/>; empty when they could not be read). Null
    /// when there are none.
    /// </summary>
    public static (IReadOnlyList<string>? Args, bool Truncated) FromParts(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        if (head.Length <= MaxBytes)
        {
            // Whole, it ends with the last argument's NUL.
            ReadOnlySpan<byte> whole = head.TrimEnd((byte)0);
            return (whole.IsEmpty ? null : Split(whole, []), false);
        }

        ReadOnlySpan<byte> first = head[..WholeCharactersBefore(head, HeadBytes)];
        first = first is [.., 0] ? first[..^1] : first; // cut right after a NUL: the next argument kept nothing
        // The tail's first byte only tells whether the kept window after it starts with an argument (it is a NUL).
        ReadOnlySpan<byte> body = tail.Length > TailBytes ? tail[^(TailBytes + 1)..] : tail;
        body = body is [.., 0] ? body[..^1] : body;
        ReadOnlySpan<byte> last = body.IsEmpty ? body : body[1..];
        if (body is not [0, ..])
        {
            // The window starts inside an argument: keep the arguments after it, or the end of the one it is in.
            int start = last.IndexOf((byte)0);
            last = start >= 0 ? last[(start + 1)..] : last[WholeCharactersFrom(last, 0)..];
        }

        List<string> args = Split(first, []);
        return (last.IsEmpty ? args : Split(last, args), true);
    }

    /// <summary>
    /// The process with its argv (and its parent's) cut to <see cref="MaxBytes"/> as <see cref="FromParts"/> cuts it,
    /// and marked so; the same instance when both fit.
    /// </summary>
    public static ProcessInfo Cap(ProcessInfo process)
    {
        if (Cut(process.Args) is { } args)
        {
            process = process with { Args = args, ArgsTruncated = true };
        }

        return Cut(process.ParentArgs) is { } parentArgs ? process with { ParentArgs = parentArgs } : process;
    }

    /// <summary>The first part of <paramref name="args"/> when they hold more than <see cref="MaxBytes"/>; null when they fit.</summary>
    private static IReadOnlyList<string>? Cut(IReadOnlyList<string>? args)
    {
        if (args is null)
        {
            return null;
        }

        int bytes = 0;
        foreach (string arg in args)
        {
            // Past MaxBytes characters the argument does not fit whatever its encoding: count no further.
            bytes += Encoding.UTF8.GetByteCount(arg.AsSpan(0, Math.Min(arg.Length, MaxBytes + 1))) + 1;
            if (bytes > MaxBytes)
            {
                (IReadOnlyList<string>? kept, _) = FromParts(Head(args), Tail(args));
                return kept ?? [];
            }
        }

        return null;
    }

    /// <summary>About what the strings of <paramref name="process"/> hold in memory, in bytes (UTF-16 and object headers).</summary>
    public static long BytesOf(ProcessInfo process)
    {
        const int StringOverhead = 24;
        long bytes = 160; // the record and its boxed values
        foreach (string? text in (ReadOnlySpan<string?>)[process.Name, process.Executable, process.Tty, process.UserName, process.WorkingDirectory, process.ParentExecutable])
        {
            bytes += text is null ? 0 : StringOverhead + (2L * text.Length);
        }

        return bytes + BytesOf(process.Args) + BytesOf(process.ParentArgs);
    }

    /// <summary>About what an argument list holds in memory, in bytes.</summary>
    public static long BytesOf(IReadOnlyList<string>? args)
    {
        if (args is null)
        {
            return 0;
        }

        long bytes = 32 + (8L * args.Count);
        foreach (string arg in args)
        {
            bytes += 24 + (2L * arg.Length);
        }

        return bytes;
    }

    /// <summary>The first <see cref="MaxBytes"/> + 1 bytes of <paramref name="args"/> as a cmdline, encoding no more than that.</summary>
    private static byte[] Head(IReadOnlyList<string> args)
    {
        var head = new List<byte>(MaxBytes + 1);
        foreach (string arg in args)
        {
            int room = MaxBytes + 1 - head.Count;
            head.AddRange(Encoding.UTF8.GetBytes(arg[..Math.Min(arg.Length, room)]).Take(room));
            if (head.Count <= MaxBytes)
            {
                head.Add(0);
            }

            if (head.Count > MaxBytes)
            {
                break;
            }
        }

        return [.. head];
    }

    /// <summary>The last <see cref="TailBytes"/> + 1 bytes of <paramref name="args"/> as a cmdline, encoding no more than that.</summary>
    private static byte[] Tail(IReadOnlyList<string> args)
    {
        const int Room = TailBytes + 1;
        var tail = new List<byte>(Room) { 0 };
        for (int i = args.Count - 1; i >= 0 && tail.Count < Room; i--)
        {
            string arg = args[i];
            byte[] end = Encoding.UTF8.GetBytes(arg[Math.Max(0, arg.Length - Room)..]);
            tail.InsertRange(0, end.Length > Room ? end[^Room..] : end);
            if (i > 0)
            {
                tail.Insert(0, 0);
            }
        }

        return [.. tail.Count > Room ? tail[^Room..] : tail];
    }

    private static List<string> Split(ReadOnlySpan<byte> cmdline, List<string> into)
    {
        foreach (Range part in cmdline.Split((byte)0))
        {
            into.Add(Encoding.UTF8.GetString(cmdline[part]));
        }

        return into;
    }

    /// <summary>How many of the first <paramref name="max"/> bytes of <paramref name="utf8"/> (longer than that) hold whole characters.</summary>
    private static int WholeCharactersBefore(ReadOnlySpan<byte> utf8, int max)
    {
        int cut = max;
        // A continuation byte (10xxxxxx) at the cut belongs to a character that started before it.
        while (cut > 0 && cut > max - 4 && IsContinuation(utf8[cut]))
        {
            cut--;
        }

        return cut;
    }

    /// <summary>Where the first whole character at or after <paramref name="at"/> starts.</summary>
    private static int WholeCharactersFrom(ReadOnlySpan<byte> utf8, int at)
    {
        while (at < utf8.Length && at < 4 && IsContinuation(utf8[at]))
        {
            at++;
        }

        return at;
    }

    private static bool IsContinuation(byte value) => (value & 0xC0) == 0x80;
}
