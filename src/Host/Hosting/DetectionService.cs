using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Engine;
using Sigs.Host.Feeds;
using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Host.Hosting;

/// <summary>
/// The long-running host: runs the feeds into the engine loop (<see cref="EngineLoop"/>), restarting a feed
/// that fails. On stop, feeds are cancelled, the queue is drained within the deadline, signatures get an
/// end-of-input signal, and isolated signatures' queues drain.
/// </summary>
internal sealed partial class DetectionService(
    DetectionPipeline runtime,
    IReadOnlyList<IEventFeed> feeds,
    TimeSpan drainDeadline,
    ILoggerFactory loggerFactory,
    TimeSpan? stall = null) : BackgroundService
{
    /// <summary>How long a failed feed waits before its first restart (doubling to 30 s).</summary>
    public static readonly TimeSpan FeedRestartDelay = TimeSpan.FromMilliseconds(500);

    private readonly ILogger _logger = loggerFactory.CreateLogger(LogCategories.Hosting);
    private readonly EngineLoop _loop = new(
        runtime.Engine,
        runtime.Process,
        runtime.Clock,
        stall ?? TimeSpan.FromMilliseconds(500),
        loggerFactory.CreateLogger(LogCategories.Engine),
        feeds.Select(feed => feed.Lateness).DefaultIfEmpty(TimeSpan.Zero).Max(),
        runtime.Findings.After);
    private volatile bool _running;

    /// <summary>True from start until the engine loop has drained on stop.</summary>
    public bool Running => _running;

    /// <summary>The feeds this service runs.</summary>
    public IReadOnlyList<IEventFeed> Feeds => feeds;

    /// <summary>Events waiting in the queue.</summary>
    public int Queued => _loop.Queue.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        _loop.Start();
        Task[] feedTasks = [.. feeds.Select(feed => RunFeedAsync(feed, stoppingToken))];
        LogStarted(_logger, runtime.Engine.Index.Runners.Count, feeds.Count);

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, runtime.Clock, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stop requested: fall through to drain.
        }

        // Stop in order: feeds stop accepting, the engine drains what was accepted, then signatures hear the end.
        await Task.WhenAll(feedTasks).ConfigureAwait(false);
        long drainStarted = runtime.Clock.GetTimestamp();
        if (!await _loop.CompleteAsync(drainDeadline).ConfigureAwait(false))
        {
            _running = false;
            return;
        }

        TimeSpan left = drainDeadline - runtime.Clock.GetElapsedTime(drainStarted);
        await runtime.EndInputAsync(_loop.Watermark ?? runtime.Clock.GetUtcNow(), left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        _running = false;
        LogStopped(_logger, runtime.EventsProcessed);
    }

    /// <summary>
    /// Runs a feed until it ends or the host stops. A feed that fails is reported down (not connected, so
    /// /healthz and /metrics say so) and started again with backoff; it never takes the host or another feed down.
    /// </summary>
    private async Task RunFeedAsync(IEventFeed feed, CancellationToken stoppingToken)
    {
        var backoff = new Backoff(FeedRestartDelay, TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await feed.RunAsync(_loop.Queue, stoppingToken).ConfigureAwait(false);
                LogFeedEnded(_logger, NamedFeed.Describe(feed));
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // Normal shutdown.
            }
            catch (Exception ex)
            {
                feed.Counters.SetConnected(false);
                feed.Counters.CountReconnect();
                TimeSpan delay = backoff.Next();
                LogFeedFailed(_logger, NamedFeed.Describe(feed), $"{ex.GetType().Name}: {ex.Message}", delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, runtime.Clock, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> on the engine thread between two events; completes when it has run.</summary>
    public Task RunOnEngineThreadAsync(Action action, CancellationToken cancellationToken) => _loop.Queue.RunOnEngineThreadAsync(action, cancellationToken);

    public override void Dispose()
    {
        _loop.Dispose();
        base.Dispose();
    }
}
