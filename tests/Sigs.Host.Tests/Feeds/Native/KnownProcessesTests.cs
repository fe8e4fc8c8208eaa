using System.Diagnostics;
using Sigs.Host.Contract;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Feeds.Native;

/// <summary>The process cache behind file events, against real processes whose comm is changed through /proc.</summary>
public sealed class KnownProcessesTests
{
    [Fact]
    public void ForFileEvent_WhenTheCommChanged_ReadsTheProcessAgain()
    {
        using Process shell = RenamingShell();
        try
        {
            var processes = new KnownProcesses();
            Assert.Equal("bash", processes.ForFileEvent(shell.Id)!.Process.Name);
            Assert.Equal("bash", processes.ForFileEvent(shell.Id)!.Process.Name);

            Rename(shell);

            Assert.Equal("renamed", processes.ForFileEvent(shell.Id)!.Process.Name);
        }
        finally
        {
            shell.Kill();
        }
    }

    [Fact]
    public async Task ForFileEvent_AfterExit_KeepsWhatWasKnown()
    {
        using Process sleeper = Sleep();
        var processes = new KnownProcesses();
        ulong? entity = processes.ForFileEvent(sleeper.Id)!.Process.EntityId;
        sleeper.Kill();
        await sleeper.WaitForExitAsync();

        Assert.Equal(entity, processes.OnExit(sleeper.Id));
        Assert.Equal("sleep", processes.ForFileEvent(sleeper.Id)!.Process.Name);
    }

    [Fact]
    public void OnExec_OfAProcessGoneAfterItsStatWasRead_KeepsTheNameFromStat()
    {
        // What /proc shows of a short-lived `mv` read halfway: its stat was read, then it exited.
        using var proc = new TempFolder();
        Directory.CreateDirectory(Path.Combine(proc.Path, "4242"));
        proc.File("4242/stat", "4242 (mv) R 4200 4242 4200 0 -1 4194304 120 0 0 0 0 0 0 0 20 0 1 0 987654 8192000 200 18446744073709551615");
        var processes = new KnownProcesses(proc.Path);

        ProcessFacts facts = processes.OnExec(4242);

        Assert.Equal("mv", facts.Process.Name);
        Assert.Equal(4200, facts.Process.ParentPid);
        Assert.Null(facts.Process.Args);
    }

    [Fact]
    public void OnExec_ReadsStatusLines_AndALineWithoutValuesIsUnknown()
    {
        using var proc = new TempFolder();
        Directory.CreateDirectory(Path.Combine(proc.Path, "4242"));
        proc.File("4242/stat", "4242 (sh) S 4200 4242 4200 0 -1 4194304 120 0 0 0 0 0 0 0 20 0 1 0 987654 8192000 200 18446744073709551615");
        proc.File("4242/status", "Name:\tsh\nTgid:\t4242\nNSpid:\t4242\t7\nUid:\n");

        ProcessFacts facts = new KnownProcesses(proc.Path).OnExec(4242);

        Assert.Equal(7, facts.Process.Pid);
        Assert.Equal(4242, facts.Process.HostPid);
        Assert.Null(facts.Process.Uid);
    }

    [Fact]
    public void OnExec_OfAProcessWithAHugeArgv_ReadsOnlyTheLimit_AndMarksIt()
    {
        using var proc = new TempFolder();
        Directory.CreateDirectory(Path.Combine(proc.Path, "4242"));
        proc.File("4242/stat", "4242 (spawnbig) S 4200 4242 4200 0 -1 4194304 120 0 0 0 0 0 0 0 20 0 1 0 987654 8192000 200 18446744073709551615");
        proc.File("4242/cmdline", "spawnbig\0--extra\0" + string.Concat(Enumerable.Repeat(new string('z', 1000) + "\0", 2000)));

        ProcessFacts facts = new KnownProcesses(proc.Path).OnExec(4242);

        Assert.True(facts.Process.ArgsTruncated);
        Assert.Equal(["spawnbig", "--extra"], facts.Process.Args!.Take(2));
        Assert.True(facts.Process.Args!.Sum(a => a.Length + 1) - 1 <= ArgvLimit.MaxBytes);
    }

    [Fact]
    public void OnExec_ManyProcessesWithLargeArgv_KeepsTheFactsWithinTheByteBound()
    {
        const long Bound = 256 * 1024;
        using var proc = new TempFolder();
        var processes = new KnownProcesses(proc.Path, maxBytes: Bound);
        for (int pid = 1; pid <= 500; pid++)
        {
            Directory.CreateDirectory(Path.Combine(proc.Path, $"{pid}"));
            proc.File($"{pid}/stat", $"{pid} (big) S 1 {pid} 1 0 -1 4194304 120 0 0 0 0 0 0 0 20 0 1 0 {pid} 8192000 200 18446744073709551615");
            proc.File($"{pid}/cmdline", "big\0" + new string('a', 100_000));
            processes.OnExec(pid);
            if (pid % 2 == 0)
            {
                processes.OnExit(pid - 1);
            }

            Assert.True(processes.Bytes <= Bound + (Bound / 16), $"{processes.Bytes} bytes after {pid} execs");
        }
    }

    /// <summary>
    /// A shell that renames itself (a process may only write its own /proc/PID/comm) when a line arrives on stdin,
    /// then waits for another.
    /// </summary>
    private static Process RenamingShell()
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("read a; printf renamed > /proc/$$/comm; read b");
        return Process.Start(start)!;
    }

    private static void Rename(Process shell)
    {
        shell.StandardInput.WriteLine("go");
        shell.StandardInput.Flush();
        Assert.True(SpinWait.SpinUntil(() => File.ReadAllText($"/proc/{shell.Id}/comm").Trim() == "renamed", TimeSpan.FromSeconds(10)));
    }

    private static Process Sleep() => Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
}
