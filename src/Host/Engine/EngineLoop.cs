using Microsoft.Extensions.Logging;
using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>
/// The engine thread: a single loop drains the <see cref="EventQueue"/>, so every signature sees events in arrival
/// order from one thread. A tick signal reaches it once a second, carrying the event-time <see cref="Watermark"/>
/// (none before the first event). The <see cref="EngineWatchdog"/> lets a new loop take over the queue when one
/// signature call stalls (see <see cref="DetectionEngine"/>).
/// </summary>
internal sealed partial class EngineLoop : IDisposable
{
    private readonly EventQueue _queue;
    private readonly DetectionEngine _engine;
    private readonly Func<SecurityEvent, bool, bool> _process;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly EngineWatchdog _watchdog;
    private readonly CancellationTokenSource _stopTicks = new();
    private readonly CancellationTokenSource _stopWatchdog = new();
    private readonly Watermark _watermark;
    private readonly Action<Action> _afterFindings;
    private readonly bool _sendTicks;
    private Task _loop = Task.CompletedTask;
    private Task _watching = Task.CompletedTask;
    private Task _ticks = Task.CompletedTask;

    /// <param name="process">Runs one event (replayed: its findings are not reported) through enrichment and the engine; false when the watchdog took the thread over.</param>
    /// <param name="lateness">How far behind the latest event time the watermark stays: the largest bound within which a feed puts events back in order.</param>
    /// <param name="afterFindings">Calls an event's "processed" callback once the findings it caused reached the outputs (default: at once).</param>
    /// <param name="ticks">Send a tick once a second (<c>sigs run</c>); replay has none: its time is its events'.</param>
    public EngineLoop(DetectionEngine engine, Func<SecurityEvent, bool, bool> process, TimeProvider clock, TimeSpan stall, ILogger logger, TimeSpan lateness = default, Action<Action>? afterFindings = null, bool ticks = true)
    {
        _sendTicks = ticks;
        _afterFindings = afterFindings ?? (done => done());
        _watermark = new Watermark(lateness);
        _queue = new EventQueue();
        _engine = engine;
        _process = process;
        _clock = clock;
        _logger = logger;
        _watchdog = new EngineWatchdog(engine, stall, clock, logger, TakeOver);
    }

    /// <summary>The event-time watermark, or null before the first event. Read it after the loop stopped.</summary>
    public DateTimeOffset? Watermark => _watermark.Time;

    /// <summary>The queue feeds write into; the loop is its one reader.</summary>
    public EventQueue Queue => _queue;

    public void Start()
    {
        Volatile.Write(ref _loop, Task.Run(RunAsync, CancellationToken.None));
        _watching = _watchdog.RunAsync(_stopWatchdog.Token);
        _ticks = _sendTicks ? TickAsync(_stopTicks.Token) : Task.CompletedTask;
    }

    /// <summary>
    /// Takes no more work, drains what was queued within the deadline, then stops the watchdog. True when the
    /// queue drained; false when the deadline passed first (the rest is dropped and logged).
    /// </summary>
    public async Task<bool> CompleteAsync(TimeSpan deadline)
    {
        await _stopTicks.CancelAsync().ConfigureAwait(false);
        await _ticks.ConfigureAwait(false);
        _queue.Complete();
        long started = _clock.GetTimestamp();
        while (!Volatile.Read(ref _loop).IsCompleted && _clock.GetElapsedTime(started) < deadline)
        {
            // The loop may be replaced by a takeover meanwhile: always wait for the current one. The watchdog keeps
            // running until then, so a call that stalls during the drain is taken over too.
            await Task.WhenAny(Volatile.Read(ref _loop), Task.Delay(TimeSpan.FromMilliseconds(50), _clock, CancellationToken.None)).ConfigureAwait(false);
        }

        await _stopWatchdog.CancelAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        if (Volatile.Read(ref _loop).IsCompleted)
        {
            return true;
        }

        LogDrainTimedOut(_logger, deadline.TotalSeconds, _queue.Count);
        return false;
    }

    public void Dispose()
    {
        _stopTicks.Dispose();
        _stopWatchdog.Dispose();
    }

    private async Task RunAsync()
    {
        await foreach (EngineWork work in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            bool stillOwner = work.Event is { } securityEvent ? Process(securityEvent, work.Replayed)
                : work.Signal is { Kind: SignalKind.Tick } ? Tick()
                : work.Signal is { } signal ? _engine.Signal(signal)
                : RunControl(work.Control);
            if (!stillOwner)
            {
                // The watchdog gave this thread up while it was stuck; a new loop owns the queue. The event's source
                // is not told it was processed (its other signatures get it from the new loop): it may send it again.
                return;
            }

            if (work.Processed is { } processed)
            {
                _afterFindings(processed); // a source acknowledges an event once its findings left through the outputs
            }
        }
    }

    private bool Process(SecurityEvent securityEvent, bool replayed)
    {
        _watermark.Observe(securityEvent.Time);
        return _process(securityEvent, replayed);
    }

    /// <summary>A tick carries the watermark; before the first event there is no time to tell, and none is sent.</summary>
    private bool Tick() => _watermark.Tick(_clock.GetTimestamp(), _clock) is not { } now || _engine.Signal(new Signal(SignalKind.Tick, now));

    private static bool RunControl(Action? control)
    {
        control?.Invoke();
        return true;
    }

    /// <summary>After a takeover: a new loop delivers the interrupted event to the rest, then drains the queue.</summary>
    private void TakeOver() => Volatile.Write(ref _loop, Task.Run(async () =>
    {
        if (_engine.Resume())
        {
            await RunAsync().ConfigureAwait(false);
        }
    }, CancellationToken.None));

    private async Task TickAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                _queue.TryPost(new Signal(SignalKind.Tick, default)); // its time is the watermark, taken on the engine thread
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
