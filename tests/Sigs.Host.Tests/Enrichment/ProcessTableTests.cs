using Sigs.Host.Enrichment;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Enrichment;

public class ProcessTableTests
{
    private static SecurityEvent Event(string name, int hostPid, ulong entityId, ProcessInfo? facts = null) => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        Source = EventSources.Tracee,
        Name = name,
        Process = (facts ?? new ProcessInfo()) with { HostPid = hostPid, EntityId = entityId, Name = "sh" },
    };

    private static readonly ProcessInfo ExecFacts = new() { Args = ["sh", "-i"], Interactive = true, Tty = "/dev/pts/1", Executable = "/bin/sh", Uid = 0 };

    [Fact]
    public void Enrich_FileEventAfterExec_GetsTheExecFacts()
    {
        var table = new ProcessTable(capacity: 10);
        table.Enrich(Event(EventNames.ProcessExec, 100, 1, ExecFacts));

        SecurityEvent open = table.Enrich(Event(EventNames.FileOpen, 100, 1));

        Assert.Equal(["sh", "-i"], open.Process!.Args);
        Assert.True(open.Process.Interactive);
        Assert.Equal("/dev/pts/1", open.Process.Tty);
        Assert.Equal("/bin/sh", open.Process.Executable);
    }

    [Fact]
    public void Enrich_ReusedPidWithNewEntity_GetsNothingFromTheDeadProcess()
    {
        var table = new ProcessTable(capacity: 10);
        table.Enrich(Event(EventNames.ProcessExec, 100, 1, ExecFacts));

        SecurityEvent open = table.Enrich(Event(EventNames.FileOpen, 100, 2));

        Assert.Null(open.Process!.Interactive);
        Assert.Null(open.Process.Args);
    }

    [Fact]
    public void Enrich_ExecOfAChild_GetsItsParentsImageAndArgv_FromTheParentsExec()
    {
        var table = new ProcessTable(capacity: 10);
        table.Enrich(Event(EventNames.ProcessExec, 100, 1, ExecFacts));

        SecurityEvent child = table.Enrich(Event(EventNames.ProcessExec, 101, 7, new ProcessInfo { ParentPid = 100, Executable = "/usr/bin/curl", Args = ["curl", "x"] }));
        SecurityEvent orphan = table.Enrich(Event(EventNames.ProcessExec, 102, 8, new ProcessInfo { ParentPid = 55, Executable = "/usr/bin/id" }));
        SecurityEvent told = table.Enrich(Event(EventNames.ProcessExec, 103, 9, new ProcessInfo { ParentPid = 100, ParentExecutable = "/bin/bash", ParentArgs = ["bash"] }));

        Assert.Equal("/bin/sh", child.Process!.ParentExecutable);
        Assert.Equal(["sh", "-i"], child.Process.ParentArgs);
        Assert.Null(orphan.Process!.ParentExecutable); // its parent's exec was never seen
        Assert.Equal("/bin/bash", told.Process!.ParentExecutable); // what the sensor said stays
        Assert.Equal(["bash"], told.Process.ParentArgs);
        SecurityEvent open = table.Enrich(Event(EventNames.FileOpen, 101, 7));
        Assert.Equal("/bin/sh", open.Process!.ParentExecutable); // and the child's later events carry it
    }

    [Fact]
    public void Enrich_TheSamePidOnTwoNodes_AreTwoProcesses()
    {
        // A correlator reads every node's events of one source: node-b's pid 100 is not node-a's.
        var table = new ProcessTable(capacity: 10);
        table.Enrich(Event(EventNames.ProcessExec, 100, 1, ExecFacts) with { HostName = "node-a" });
        table.Enrich(Event(EventNames.ProcessExec, 100, 5, new ProcessInfo { Executable = "/usr/sbin/cron", Args = ["cron"] }) with { HostName = "node-b" });

        SecurityEvent open = table.Enrich(Event(EventNames.FileOpen, 100, 1) with { HostName = "node-a" });
        SecurityEvent child = table.Enrich(Event(EventNames.ProcessExec, 101, 7, new ProcessInfo { ParentPid = 100 }) with { HostName = "node-a" });

        Assert.Equal(["sh", "-i"], open.Process!.Args);
        Assert.Equal("/bin/sh", child.Process!.ParentExecutable);
    }

    [Fact]
    public void Enrich_AHugeParentArgv_IsCut_EvenWithoutTheProcesssOwn()
    {
        var table = new ProcessTable(capacity: 10);
        string[] huge = ["sh", new string('a', 100_000)];

        SecurityEvent e = table.Enrich(Event(EventNames.FileOpen, 100, 1, new ProcessInfo { ParentArgs = huge }));

        Assert.True(Sigs.Host.Contract.ArgvLimit.BytesOf(e.Process!.ParentArgs) < 3 * Sigs.Host.Contract.ArgvLimit.MaxBytes);
        Assert.Equal("sh", e.Process.ParentArgs![0]);
    }

    [Fact]
    public void Enrich_ExitOfAnOlderIncarnation_KeepsTheNewOne()
    {
        var table = new ProcessTable(capacity: 10);
        table.Enrich(Event(EventNames.ProcessExec, 100, 2, ExecFacts));

        table.Enrich(Event(EventNames.ProcessExit, 100, 1)); // the pid's previous process, reported late

        Assert.Equal(["sh", "-i"], table.Enrich(Event(EventNames.FileOpen, 100, 2)).Process!.Args);
    }

    [Fact]
    public void Enrich_AfterExit_ForgetsTheProcess()
    {
        var table = new ProcessTable(capacity: 10);
        table.Enrich(Event(EventNames.ProcessExec, 100, 1, ExecFacts));
        table.Enrich(Event(EventNames.ProcessExit, 100, 1));

        SecurityEvent open = table.Enrich(Event(EventNames.FileOpen, 100, 1));

        Assert.Null(open.Process!.Interactive);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Enrich_KnownFactsInTheEvent_AreNotOverwritten()
    {
        var table = new ProcessTable(capacity: 10);
        table.Enrich(Event(EventNames.ProcessExec, 100, 1, ExecFacts));

        SecurityEvent open = table.Enrich(Event(EventNames.FileOpen, 100, 1, new ProcessInfo { Interactive = false }));

        Assert.False(open.Process!.Interactive);
        Assert.Equal(["sh", "-i"], open.Process.Args);
    }

    [Fact]
    public void Enrich_EventWithoutEntityId_IsLeftAlone()
    {
        var table = new ProcessTable(capacity: 10);
        table.Enrich(Event(EventNames.ProcessExec, 100, 1, ExecFacts));
        SecurityEvent open = Event(EventNames.FileOpen, 100, 1) with { Process = new ProcessInfo { HostPid = 100 } };

        Assert.Same(open, table.Enrich(open));
    }

    [Fact]
    public void Enrich_OverCapacity_EvictsOldestAndCounts()
    {
        var table = new ProcessTable(capacity: 2);
        table.Enrich(Event(EventNames.ProcessExec, 1, 1, ExecFacts));
        table.Enrich(Event(EventNames.ProcessExec, 2, 2, ExecFacts));
        table.Enrich(Event(EventNames.ProcessExec, 3, 3, ExecFacts));

        Assert.Equal(1, table.Evictions);
        Assert.Equal(2, table.Count);
        Assert.Null(table.Enrich(Event(EventNames.FileOpen, 1, 1)).Process!.Interactive);
        Assert.True(table.Enrich(Event(EventNames.FileOpen, 3, 3)).Process!.Interactive);
    }

    [Fact]
    public void Enrich_AnyEventWithAHugeArgv_CarriesItCutAndMarked()
    {
        var table = new ProcessTable(capacity: 10);
        string[] huge = ["cat", "/etc/shadow", new string('x', 512 * 1024), "/root/.aws/credentials"];

        SecurityEvent exec = table.Enrich(Event(EventNames.ProcessExec, 100, 1, new ProcessInfo { Args = huge }));
        SecurityEvent open = table.Enrich(Event(EventNames.FileOpen, 100, 1));

        foreach (SecurityEvent e in new[] { exec, open })
        {
            Assert.True(e.Process!.ArgsTruncated);
            Assert.Equal(["cat", "/etc/shadow"], e.Process.Args!.Take(2));
            Assert.Equal("/root/.aws/credentials", e.Process.Args![^1]);
            Assert.True(e.Process.Args!.Sum(a => a.Length + 1) - 1 <= Sigs.Host.Contract.ArgvLimit.MaxBytes);
        }
    }

    [Fact]
    public void Enrich_ManyExecsWithLargeArgvAndNoExit_StayWithinTheByteBound()
    {
        const long Bound = 1 << 20;
        var table = new ProcessTable(capacity: 65_536, maxBytes: Bound);
        string[] large = ["python3", new string('y', 600_000)];

        for (int pid = 1; pid <= 2_000; pid++)
        {
            table.Enrich(Event(EventNames.ProcessExec, pid, (ulong)pid, new ProcessInfo { Args = large }));
            Assert.True(table.Bytes <= Bound, $"{table.Bytes} bytes after {pid} execs");
        }

        Assert.True(table.Count < 2_000);
        Assert.True(table.Evictions > 0);
    }
}
