using Sigs.Host.Enrichment;
using Sigs.Host.Feeds;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds;

/// <summary>The terminal and argv from /proc of real processes on this machine, only for the same process.</summary>
public class ProcFactFillerTests
{
    private static SecurityEvent Open(int pid, DateTimeOffset time, string? name = null, string? executable = null) => new()
    {
        Time = time,
        Source = EventSources.Tetragon,
        Name = EventNames.FileOpen,
        Process = new ProcessInfo { HostPid = pid, Name = name, Executable = executable },
        File = new FileEventInfo { Path = "/var/lib/kubelet/pki/kubelet.crt", Flags = 0 },
    };

    [Fact]
    public async Task Fill_AProcessWithATerminal_IsInteractive_WithItsArgv()
    {
        using RunningProcess real = await RunningProcess.WithTerminalAsync();
        var filler = new ProcFactFiller();

        ProcessInfo filled = filler.Fill(Open(real.Pid, DateTimeOffset.UtcNow, executable: "/usr/bin/sleep"), real.StartTime).Process!;

        Assert.True(filled.Interactive);
        Assert.NotNull(filled.Tty);
        Assert.Equal("sleep", filled.Args![0]);
        Assert.Equal((1, 0), (filler.Filled, filler.Unknown));
    }

    [Fact]
    public async Task Fill_AProcessWithoutATerminal_IsNotInteractive()
    {
        using RunningProcess real = await RunningProcess.WithoutTerminalAsync();

        ProcessInfo filled = new ProcFactFiller().Fill(Open(real.Pid, DateTimeOffset.UtcNow, name: "sleep")).Process!;

        Assert.False(filled.Interactive);
        Assert.Null(filled.Tty);
    }

    [Fact]
    public async Task Fill_KnownFacts_AreKept_AndAnEventLackingNothingIsUntouched()
    {
        using RunningProcess real = await RunningProcess.WithTerminalAsync();
        var filler = new ProcFactFiller();
        SecurityEvent complete = Open(real.Pid, DateTimeOffset.UtcNow) with { Process = new ProcessInfo { HostPid = real.Pid, Interactive = false, Args = ["x"] } };

        Assert.Same(complete, filler.Fill(complete));
        SecurityEvent withArgs = Open(real.Pid, DateTimeOffset.UtcNow) with { Process = new ProcessInfo { HostPid = real.Pid, Args = ["kept"] } };
        Assert.Equal(["kept"], filler.Fill(withArgs).Process!.Args);
        Assert.Equal(0, filler.Unknown);
    }

    /// <summary>Each way /proc's process may not be the event's: the facts stay unknown and are counted.</summary>
    [Theory]
    [InlineData("gone")]
    [InlineData("started after the sensor's start time (pid reused)")]
    [InlineData("started after the event, without a start time")]
    [InlineData("another comm")]
    [InlineData("another binary")]
    public async Task Fill_AnotherProcessOrNone_LeavesTheFactsUnknown(string why)
    {
        using RunningProcess real = await RunningProcess.WithTerminalAsync();
        var filler = new ProcFactFiller();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        SecurityEvent result = why switch
        {
            "gone" => filler.Fill(Open(await RunningProcess.GonePidAsync(), now)),
            "started after the sensor's start time (pid reused)" => filler.Fill(Open(real.Pid, now), real.StartTime.AddSeconds(-5)),
            "started after the event, without a start time" => filler.Fill(Open(real.Pid, real.StartTime.AddSeconds(-5))),
            "another comm" => filler.Fill(Open(real.Pid, now, name: "bash")),
            _ => filler.Fill(Open(real.Pid, now, executable: "/usr/bin/cat"), real.StartTime),
        };

        Assert.Null(result.Process!.Interactive);
        Assert.Null(result.Process.Args);
        Assert.Equal((0, 1), (filler.Filled, filler.Unknown));
    }

    [Fact]
    public async Task Fill_AProcessWithAnEntityId_IsReadOnce_ItsLaterEventsNeedNoRead()
    {
        var filler = new ProcFactFiller();
        RunningProcess real = await RunningProcess.WithTerminalAsync();
        SecurityEvent open = Open(real.Pid, DateTimeOffset.UtcNow, name: "sleep") with { Process = new ProcessInfo { HostPid = real.Pid, Name = "sleep", EntityId = 77 } };
        Assert.True(filler.Fill(open).Process!.Interactive);

        real.Dispose();
        await Eventually.TrueAsync(() => !Directory.Exists($"/proc/{real.Pid}"), "the process to be gone");

        Assert.True(filler.Fill(open).Process!.Interactive); // from what /proc said while it ran
        Assert.Null(filler.Fill(open with { Process = open.Process! with { EntityId = 78 } }).Process!.Interactive); // another process: read, and gone
    }

    [Fact]
    public async Task WhyNot_InAnotherPidNamespace_SaysSo()
    {
        // A new pid namespace with its own /proc: the host's pids name nothing there.
        SigsProcess.Result result = await Command.RunAsync("unshare", ["--pid", "--fork", "--mount-proc", "readlink", "/proc/self/ns/pid"]);
        Assert.Equal(0, result.ExitCode);
        Assert.NotEqual(ProcFactFiller.HostPidNamespace, result.Stdout.Trim());

        string here = new FileInfo("/proc/self/ns/pid").LinkTarget!;
        Assert.Equal(here == ProcFactFiller.HostPidNamespace, ProcFactFiller.WhyNot() is null);
    }
}
