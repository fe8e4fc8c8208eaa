using Sigs.Host.Feeds.Files;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Feeds;

/// <summary>The file feed with <c>follow</c>: growth, rename-and-create rotation, and copy-truncate rotation.</summary>
public sealed class FileFeedTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CollectingEventSink _sink = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _folder.Dispose();
    }

    private static string Line(int pid) =>
        "{\"time\":\"2025-11-02T10:00:00Z\",\"source\":\"sigs\",\"name\":\"sched_process_exec\",\"process\":{\"hostPid\":" + pid + "}}\n";

    private IEnumerable<int?> Pids => _sink.Events.Select(e => e.Process!.HostPid);

    [Fact]
    public async Task Follow_GrowthRotationAndTruncation_LoseNoLine()
    {
        string path = Path.Combine(_folder.Path, "events.jsonl");
        await File.WriteAllTextAsync(path, Line(1) + "{broken\n");
        var feed = new FileFeed(path, follow: true, _logs.CreateLogger("file"));
        _running = feed.RunAsync(_sink, _stop.Token);
        await _sink.WaitForCountAsync(1);

        await File.AppendAllTextAsync(path, Line(2));
        await _sink.WaitForCountAsync(2);

        File.Move(path, path + ".1");
        await File.AppendAllTextAsync(path + ".1", Line(3)); // written to the old file just before the switch
        await File.WriteAllTextAsync(path, Line(4));
        await _sink.WaitForCountAsync(4);

        // Truncation is seen by the file shrinking below the read position, so write again only once it was seen
        // (a file that regrows past the old position in between is the documented limit, as with tail -F).
        await File.WriteAllTextAsync(path, string.Empty);
        await Eventually.TrueAsync(() => _logs.LinesContaining("was truncated").Count == 1, "the truncation to be noticed");
        await File.WriteAllTextAsync(path, Line(5));
        await _sink.WaitForCountAsync(5);

        Assert.Equal([1, 2, 3, 4, 5], Pids);
        Assert.Equal(1, feed.Counters.DecodeErrors);
        Assert.Single(_logs.LinesContaining("was rotated"));
        Assert.Single(_logs.LinesContaining("was truncated"));
    }

    [Fact]
    public async Task NoFollow_ReadsOnceAndEnds()
    {
        string path = Path.Combine(_folder.Path, "events.jsonl");
        await File.WriteAllTextAsync(path, Line(1) + Line(2));
        var feed = new FileFeed(path, follow: false, _logs.CreateLogger("file"));

        await feed.RunAsync(_sink, _stop.Token);

        Assert.Equal([1, 2], Pids);
    }
}
