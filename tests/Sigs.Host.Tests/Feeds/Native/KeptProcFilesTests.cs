using System.Diagnostics;
using System.Runtime.InteropServices;
using Sigs.Host.Feeds.Native;

namespace Sigs.Host.Tests.Feeds.Native;

public sealed class KeptProcFilesTests
{
    [Fact]
    public async Task Read_KeepsOneDescriptorPerLiveProcess_AndForgetsAProcessThatExited()
    {
        using var files = new KeptProcFiles("syscall", capacity: 2);
        using Process sleeper = Sleep();
        using Process other = Sleep();
        await WaitUntilSleepingAsync(sleeper.Id);

        string? first = files.Read(sleeper.Id, out bool firstKept);
        string? again = files.Read(sleeper.Id, out bool againKept);
        Assert.False(firstKept);
        Assert.True(againKept);

        Assert.NotNull(first);
        Assert.Matches(@"^\d+ ", first);
        Assert.Equal(first, again);
        Assert.Equal(1, files.Count);

        sleeper.Kill();
        await sleeper.WaitForExitAsync();
        Assert.Null(files.Read(sleeper.Id));
        Assert.Equal(0, files.Count);

        Assert.NotNull(files.Read(other.Id));
        other.Kill();
    }

    [Fact]
    public void Read_BeyondCapacity_ClosesTheOldestDescriptor()
    {
        using var files = new KeptProcFiles("syscall", capacity: 2);
        List<Process> sleepers = [Sleep(), Sleep(), Sleep()];
        try
        {
            foreach (Process sleeper in sleepers)
            {
                Assert.NotNull(files.Read(sleeper.Id));
            }

            Assert.Equal(2, files.Count);
        }
        finally
        {
            sleepers.ForEach(s => { s.Kill(); s.Dispose(); });
        }
    }

    [Fact]
    public void FlagsFromARealBlockedCall_AreReadThroughTheKeptDescriptor()
    {
        // A process blocked in a syscall shows its number and arguments; `sleep` is blocked in clock_nanosleep.
        using var files = new KeptProcFiles("syscall");
        using Process sleeper = Sleep();
        try
        {
            SpinWait.SpinUntil(() => files.Read(sleeper.Id) is { } text && !text.StartsWith("running", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            string text = files.Read(sleeper.Id)!;
            long number = long.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 115 : 230, number); // clock_nanosleep
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public void AKeptStatDescriptor_FollowsItsProcessAcrossExec()
    {
        // What the probe relies on to see that a shell has exec'd the program that opens the file.
        using var files = new KeptProcFiles("stat");
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("read a; exec sleep 30");
        using Process shell = Process.Start(start)!;
        try
        {
            Assert.Contains("(bash)", files.Read(shell.Id), StringComparison.Ordinal);
            shell.StandardInput.WriteLine("go");
            shell.StandardInput.Flush();

            Assert.True(SpinWait.SpinUntil(() => files.Read(shell.Id)?.Contains("(sleep)", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10)));
            Assert.Equal(1, files.Count);
        }
        finally
        {
            shell.Kill();
        }
    }

    private static Process Sleep() => Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;

    private static async Task WaitUntilSleepingAsync(int pid)
    {
        for (int i = 0; i < 100 && !File.ReadAllText($"/proc/{pid}/stat").Contains(" S ", StringComparison.Ordinal); i++)
        {
            await Task.Delay(10);
        }
    }
}
