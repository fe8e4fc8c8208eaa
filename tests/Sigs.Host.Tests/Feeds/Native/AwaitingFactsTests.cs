using Sigs.Host.Enrichment;
using Microsoft.Extensions.Time.Testing;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds.Native;

/// <summary>
/// Events of processes that are gone before the probe reads them: pids above the kernel's highest (4,194,304), so
/// /proc never has them, with their facts "read at exec" from a folder standing in for /proc.
/// </summary>
public sealed class AwaitingFactsTests : IDisposable
{
    private const int Gone = 4_194_401;
    private const int AlsoGone = 4_194_402;

    private readonly TempFolder _proc = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly List<SecurityEvent> _published = [];
    private readonly KnownProcesses _processes;
    private readonly AwaitingFacts _events;

    public AwaitingFactsTests()
    {
        _processes = new KnownProcesses(_proc.Path, clock: _clock);
        _events = new AwaitingFacts(_processes, _published.Add, _clock);
    }

    public void Dispose() => _proc.Dispose();

    private static SecurityEvent Open(ProcessFacts facts, string path) => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        Source = EventSources.Native,
        Name = EventNames.FileOpen,
        Process = facts.Process,
        File = new FileEventInfo { Path = path },
    };

    /// <summary>What the process connector does at an exec: reads the process and stores its facts.</summary>
    private void Exec(int pid, string comm)
    {
        Directory.CreateDirectory(Path.Combine(_proc.Path, $"{pid}"));
        _proc.File($"{pid}/stat", $"{pid} ({comm}) S 1 {pid} 1 0 -1 4194304 120 0 0 0 0 0 0 0 20 0 1 0 77 8192000 200 18446744073709551615");
        _processes.OnExec(pid);
    }

    [Fact]
    public void AnEventOfAGoneProcess_WaitsUntilTheConnectorCaughtUp_AndTheEventsAfterItWaitBehindIt()
    {
        // The pid's facts from before its last exec (a shell that exec'd cat) are known, but the connector has not
        // caught up with the time the event was read: they may be the wrong image's.
        Exec(Gone, "sh");
        Exec(AlsoGone, "ls");
        _events.Publish(Gone, readAt: 100, facts => Open(facts, "/a"));
        _events.Publish(AlsoGone, readAt: 101, facts => Open(facts, "/b"));
        _processes.CaughtUp(99);
        _events.Release();
        Assert.Empty(_published);
        Assert.True(_events.Any);

        Exec(Gone, "cat");
        _processes.CaughtUp(100);
        _events.Release();
        Assert.Equal(["cat"], _published.Select(e => e.Process!.Name));

        _processes.CaughtUp(200);
        _events.Release();
        Assert.Equal(["/a", "/b"], _published.Select(e => e.File!.Path));
        Assert.Equal(["cat", "ls"], _published.Select(e => e.Process!.Name));
        Assert.False(_events.Any);
    }

    [Fact]
    public void AnEventWhoseConnectorNeverCatchesUp_GoesWithWhatIsKnown_AfterTheWait()
    {
        _events.Publish(Gone, readAt: 100, facts => Open(facts, "/a"));
        _clock.Advance(AwaitingFacts.MaxWait - TimeSpan.FromMilliseconds(1));
        _events.Release();
        Assert.Empty(_published);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        _events.Release();

        SecurityEvent open = Assert.Single(_published);
        Assert.Equal(Gone, open.Process!.HostPid);
        Assert.Null(open.Process.Name);
    }

    [Fact]
    public void AnEventOfALiveProcess_IsPublishedAtOnce_AndTheHeldAreBoundedInCount()
    {
        var events = new AwaitingFacts(new KnownProcesses(clock: _clock), _published.Add, _clock);
        events.Publish(Environment.ProcessId, readAt: 100, facts => Open(facts, "/b"));
        Assert.Equal(Environment.ProcessId, Assert.Single(_published).Process!.HostPid);

        for (int i = 0; i <= AwaitingFacts.Capacity; i++)
        {
            events.Publish(Gone, readAt: 100, facts => Open(facts, "/a"));
        }

        Assert.Equal(2, _published.Count); // the oldest held one went with what was known, to make room
    }
}
