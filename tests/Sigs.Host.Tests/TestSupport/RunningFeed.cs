using Sigs.Host.Feeds;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>A feed running on its own task into <see cref="AcknowledgingSink"/>, until stopped.</summary>
internal sealed class RunningFeed : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private RunningFeed(IEventFeed feed, AcknowledgingSink sink) => _run = Task.Run(async () =>
    {
        try
        {
            await feed.RunAsync(sink, _stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    });

    /// <summary>Starts <paramref name="feed"/> and waits until it says it is connected (or has ended).</summary>
    public static async Task<RunningFeed> StartAsync(IEventFeed feed, AcknowledgingSink sink)
    {
        var running = new RunningFeed(feed, sink);
        await Eventually.TrueAsync(() => feed.Counters.Connected || running._run.IsCompleted, "the feed to connect");
        return running;
    }

    /// <summary>True once the feed's run ended (on its own, before it was stopped: it failed).</summary>
    public bool Ended => _run.IsCompleted;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(20));
        _stop.Dispose();
    }
}
