using Sigs.Host.Enrichment;
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
    public async Task ForFileEvent_AfterExit_IsNull_AndWhatWasKnownStays()
    {
        using Process sleeper = Sleep();
        var processes = new KnownProcesses();
        ulong? entity = processes.ForFileEvent(sleeper.Id)!.Process.EntityId;
        sleeper.Kill();
        await sleeper.WaitForExitAsync();

        Assert.Equal(entity, processes.OnExit(sleeper.Id));
        Assert.Null(processes.ForFileEvent(sleeper.Id));
        Assert.Equal("sleep", processes.Known(sleeper.Id)!.Process.Name);
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
    public void OnExec_OfAProcessThatExitedBeforeItWasRead_TakesItsContainerAndTerminalFromBeforeTheExec()
    {
        // A shell in a container with a terminal execs `cat`, which reads and exits before the probe reads it: a
        // zombie's /proc shows the root cgroup and no terminal, then nothing at all.
        using var proc = new TempFolder();
        Directory.CreateDirectory(Path.Combine(proc.Path, "4242"));
        proc.File("4242/stat", "4242 (sh) S 4200 4242 4200 34816 -1 4194304 120 0 0 0 0 0 0 0 20 0 1 0 987654 8192000 200 18446744073709551615");
        proc.File("4242/cgroup", "0::/kubepods.slice/kubepods-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/cri-containerd-5c1f0e9d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e.scope\n");
        var processes = new KnownProcesses(proc.Path);
        ProcessFacts shell = processes.OnExec(4242);
        Assert.NotNull(shell.ContainerId);
        Assert.False(shell.Exited);

        proc.File("4242/stat", "4242 (cat) Z 4200 4242 4200 0 -1 4227084 120 0 0 0 0 0 0 0 20 0 1 0 987654 0 0 18446744073709551615");
        proc.File("4242/cgroup", "0::/\n");
        ProcessFacts zombie = processes.OnExec(4242);
        Directory.Delete(Path.Combine(proc.Path, "4242"), recursive: true);
        processes.OnFork(4343, 4242);
        ProcessFacts gone = processes.OnExec(4343);

        Assert.True(zombie.Exited);
        Assert.Equal("cat", zombie.Process.Name);
        Assert.Equal(shell.ContainerId, zombie.ContainerId);
        Assert.True(zombie.Process.Interactive);
        Assert.True(gone.Exited);
        Assert.Equal(shell.ContainerId, gone.ContainerId);
        Assert.Equal(4242, gone.Process.ParentPid);
    }

    [Theory]
    [InlineData("4242 (cat) R 4200 4242 4200 34816 -1 4194304 120", false)]
    [InlineData("4242 (cat) R 4200 4242 4200 34816 -1 4194308 120", true)] // PF_EXITING
    [InlineData("4242 (a) b) Z 4200 4242 4200 0 -1 4227084 120", true)]
    [InlineData("4242 (cat) X", true)]
    [InlineData("garbage", true)]
    public void HasExited_ReadsStateAndTheExitingFlag(string stat, bool exited)
    {
        Assert.Equal(exited, ProcFacts.HasExited(stat));
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
