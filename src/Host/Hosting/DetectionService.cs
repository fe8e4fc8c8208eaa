using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sigs.Host.Engine;
using Sigs.Host.Feeds;
using Sigs.Plugins;

namespace Sigs.Host.Hosting;

/// <summary>
/// The long-running host: feeds write into one bounded queue, and a single engine loop drains it, so every
/// signature sees events in arrival order from one thread. A tick signal reaches the loop once a second. A
/// watchdog requests timing samples and, when one signature call stalls, lets a new engine loop take over
/// (see <see cref="DetectionEngine"/>). On stop, feeds are cancelled, the queue is drained within the deadline,
/// signatures get an end-of-input signal, and isolated signatures' queues drain.
/// </summary>
internal sealed partial class DetectionService(
    SigsRuntime runtime,
    IReadOnlyList<IEventFeed> feeds,
    TimeSpan drainDeadline,
    ILogger<DetectionService> logger,
    TimeSpan? stall = null) : BackgroundService, IEventSink
{
    public const int QueueCapacity = 65_536;

    /// <summary>How long a failed feed waits before its first restart (doubling to 30 s).</summary>
    public static readonly TimeSpan FeedRestartDelay = TimeSpan.FromMilliseconds(500);

    private readonly Channel<EngineWork> _queue = Channel.CreateBounded<EngineWork>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly TimeSpan _stall = stall ?? TimeSpan.FromMilliseconds(500);
    private Task _engineLoop = Task.CompletedTask;
    private volatile bool _running;

    /// <summary>True from start until the engine loop has drained on stop.</summary>
    public bool Running => _running;

    /// <summary>The feeds this service runs.</summary>
    public IReadOnlyList<IEventFeed> Feeds => feeds;

    /// <summary>Events waiting in the queue.</summary>
    public int Queued => _queue.Reader.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        Volatile.Write(ref _engineLoop, Task.Run(RunEngineLoopAsync, CancellationToken.None));
        Task[] feedTasks = [.. feeds.Select(feed => RunFeedAsync(feed, stoppingToken))];
        Task ticks = TickAsync(stoppingToken);
        using var watchdogStop = new CancellationTokenSource();
        Task watchdog = WatchAsync(watchdogStop.Token);
        LogStarted(logger, runtime.Engine.Index.Runners.Count, feeds.Count);

        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stop requested: fall through to drain.
        }

        // Stop in order: feeds stop accepting, the engine drains what was accepted, then signatures hear the end.
        await Task.WhenAll([.. feedTasks, ticks]).ConfigureAwait(false);
        _queue.Writer.Complete();
        long drainStarted = runtime.Clock.GetTimestamp();
        while (!Volatile.Read(ref _engineLoop).IsCompleted && runtime.Clock.GetElapsedTime(drainStarted) < drainDeadline)
        {
            // The loop may be replaced by a takeover meanwhile: always wait for the current one.
            await Task.WhenAny(Volatile.Read(ref _engineLoop), Task.Delay(TimeSpan.FromMilliseconds(50), runtime.Clock, CancellationToken.None)).ConfigureAwait(false);
        }

        await watchdogStop.CancelAsync().ConfigureAwait(false);
        await watchdog.ConfigureAwait(false);
        if (!Volatile.Read(ref _engineLoop).IsCompleted)
        {
            LogDrainTimedOut(logger, drainDeadline.TotalSeconds, _queue.Reader.Count);
            _running = false;
            return;
        }

        runtime.Engine.Signal(new Signal(SignalKind.EndOfInput, runtime.Clock.GetUtcNow()));
        TimeSpan left = drainDeadline - runtime.Clock.GetElapsedTime(drainStarted);
        await Task.WhenAll(runtime.Engine.Index.Runners.Select(r => r.DrainIsolationAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero))).ConfigureAwait(false);
        _running = false;
        LogStopped(logger, runtime.EventsProcessed);
    }

    private async Task RunEngineLoopAsync()
    {
        await foreach (EngineWork work in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            bool stillOwner = work.Event is { } securityEvent ? runtime.Process(securityEvent)
                : work.Signal is { } signal ? runtime.Engine.Signal(signal)
                : RunControl(work.Control);
            if (!stillOwner)
            {
                return; // the watchdog gave this thread up while it was stuck; a new loop owns the queue
            }
        }
    }

    private static bool RunControl(Action? control)
    {
        control?.Invoke();
        return true;
    }

    /// <summary>
    /// Checks a few times per stall period whether one signature call has stopped making progress; if so the
    /// engine isolates that signature and a new engine loop takes over the queue.
    /// </summary>
    private async Task WatchAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_stall / 4, runtime.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                foreach (SignatureRunner runner in runtime.Engine.Index.Runners)
                {
                    runner.RequestSample();
                }

                if (runtime.Engine.TryTakeOver(_stall, runtime.Clock, out SignatureRunner? stuck))
                {
                    LogTakeover(logger, stuck!.Metadata.Id, _stall.TotalMilliseconds);
                    Volatile.Write(ref _engineLoop, Task.Run(async () =>
                    {
                        if (runtime.Engine.Resume())
                        {
                            await RunEngineLoopAsync().ConfigureAwait(false);
                        }
                    }, CancellationToken.None));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
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
                await feed.RunAsync(this, stoppingToken).ConfigureAwait(false);
                LogFeedEnded(logger, feed.Name);
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
                LogFeedFailed(logger, feed.Name, $"{ex.GetType().Name}: {ex.Message}", delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(new EngineWork(securityEvent, null), cancellationToken);

    public bool TryPublishAll(IReadOnlyList<SecurityEvent> events)
    {
        // Only the engine loop takes items out, so room seen here can only grow until these writes finish;
        // other receivers may race for it, in which case the rest of the batch waits briefly for the engine.
        if (QueueCapacity - _queue.Reader.Count < events.Count)
        {
            return false;
        }

        foreach (SecurityEvent securityEvent in events)
        {
            if (!_queue.Writer.TryWrite(new EngineWork(securityEvent, null)))
            {
                _queue.Writer.WriteAsync(new EngineWork(securityEvent, null)).AsTask().GetAwaiter().GetResult();
            }
        }

        return true;
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), runtime.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                // A tick is only a hint to expire state; when the queue is full the next one will do.
                _queue.Writer.TryWrite(new EngineWork(null, new Signal(SignalKind.Tick, runtime.Clock.GetUtcNow())));
            }
        }
        catch (OperationCanceledException)
        {
            // Normal shutdown.
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the engine thread between two events, so it sees no event half-delivered;
    /// completes when it has run.
    /// </summary>
    public async Task RunOnEngineThreadAsync(Action action, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new EngineWork(null, null, () =>
        {
            try
            {
                action();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        }), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private readonly record struct EngineWork(SecurityEvent? Event, Signal? Signal, Action? Control = null);

    [LoggerMessage(Level = LogLevel.Error, Message = "Signature {Id} has been in one call for over {Milliseconds} ms; a new engine thread continues without it")]
    private static partial void LogTakeover(ILogger logger, string id, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sigs running: {Signatures} signatures, {Feeds} feeds")]
    private static partial void LogStarted(ILogger logger, int signatures, int feeds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sigs stopped after draining its queue ({Events} events processed)")]
    private static partial void LogStopped(ILogger logger, long events);

    [LoggerMessage(Level = LogLevel.Error, Message = "Drain deadline of {Seconds} s passed with {Remaining} events still queued; they are dropped")]
    private static partial void LogDrainTimedOut(ILogger logger, double seconds, int remaining);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Feed} reached the end of its input")]
    private static partial void LogFeedEnded(ILogger logger, string feed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Feed {Feed} failed: {Reason}; it is down and restarts in {Seconds:F1} s")]
    private static partial void LogFeedFailed(ILogger logger, string feed, string reason, double seconds);
}
