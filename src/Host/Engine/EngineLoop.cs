using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>
/// The engine thread: feeds write into one bounded queue, and a single loop drains it, so every signature sees
/// events in arrival order from one thread. A tick signal reaches the loop once a second. A watchdog requests
/// timing samples and, when one signature call stalls, lets a new loop take over the queue (see
/// <see cref="DetectionEngine"/>).
/// </summary>
internal sealed partial class EngineLoop : IEventSink, IDisposable
{
    public const int QueueCapacity = 65_536;

    private readonly Channel<EngineWork> _queue = Channel.CreateBounded<EngineWork>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly DetectionEngine _engine;
    private readonly Func<SecurityEvent, bool> _process;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _stall;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopTicks = new();
    private readonly CancellationTokenSource _stopWatchdog = new();
    private Task _loop = Task.CompletedTask;
    private Task _watchdog = Task.CompletedTask;
    private Task _ticks = Task.CompletedTask;

    /// <param name="process">Runs one event through enrichment and the engine; false when the watchdog took the thread over.</param>
    public EngineLoop(DetectionEngine engine, Func<SecurityEvent, bool> process, TimeProvider clock, TimeSpan stall, ILogger logger)
    {
        _engine = engine;
        _process = process;
        _clock = clock;
        _stall = stall;
        _logger = logger;
    }

    /// <summary>Events (and signals) waiting in the queue.</summary>
    public int Queued => _queue.Reader.Count;

    public void Start()
    {
        Volatile.Write(ref _loop, Task.Run(RunAsync, CancellationToken.None));
        _watchdog = WatchAsync(_stopWatchdog.Token);
        _ticks = TickAsync(_stopTicks.Token);
    }

    /// <summary>
    /// Takes no more work, drains what was queued within the deadline, then stops the watchdog. True when the
    /// queue drained; false when the deadline passed first (the rest is dropped and logged).
    /// </summary>
    public async Task<bool> CompleteAsync(TimeSpan deadline)
    {
        await _stopTicks.CancelAsync().ConfigureAwait(false);
        await _ticks.ConfigureAwait(false);
        _queue.Writer.TryComplete();
        long started = _clock.GetTimestamp();
        while (!Volatile.Read(ref _loop).IsCompleted && _clock.GetElapsedTime(started) < deadline)
        {
            // The loop may be replaced by a takeover meanwhile: always wait for the current one. The watchdog keeps
            // running until then, so a call that stalls during the drain is taken over too.
            await Task.WhenAny(Volatile.Read(ref _loop), Task.Delay(TimeSpan.FromMilliseconds(50), _clock, CancellationToken.None)).ConfigureAwait(false);
        }

        await _stopWatchdog.CancelAsync().ConfigureAwait(false);
        await _watchdog.ConfigureAwait(false);
        if (Volatile.Read(ref _loop).IsCompleted)
        {
            return true;
        }

        LogDrainTimedOut(_logger, deadline.TotalSeconds, _queue.Reader.Count);
        return false;
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

    private async Task RunAsync()
    {
        await foreach (EngineWork work in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            bool stillOwner = work.Event is { } securityEvent ? _process(securityEvent)
                : work.Signal is { } signal ? _engine.Signal(signal)
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
    /// engine isolates that signature and a new loop takes over the queue.
    /// </summary>
    private async Task WatchAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_stall / 4, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                Watch();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Watch()
    {
        foreach (SignatureRunner runner in _engine.Index.Runners)
        {
            runner.RequestSample();
        }

        if (_engine.TryTakeOver(_stall, _clock, out SignatureRunner? stuck))
        {
            LogTakeover(_logger, stuck!.Metadata.Id, _stall.TotalMilliseconds);
            Volatile.Write(ref _loop, Task.Run(async () =>
            {
                if (_engine.Resume())
                {
                    await RunAsync().ConfigureAwait(false);
                }
            }, CancellationToken.None));
        }
    }

    private async Task TickAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                // A tick is only a hint to expire state; when the queue is full the next one will do.
                _queue.Writer.TryWrite(new EngineWork(null, new Signal(SignalKind.Tick, _clock.GetUtcNow())));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public void Dispose()
    {
        _stopTicks.Dispose();
        _stopWatchdog.Dispose();
    }

    private readonly record struct EngineWork(SecurityEvent? Event, Signal? Signal, Action? Control = null);
}
