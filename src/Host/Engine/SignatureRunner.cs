using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Host.Loading;
using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>
/// How runners contain misbehaving signatures: quarantine after <paramref name="MaxFaults"/> exceptions within
/// <paramref name="FaultWindow"/>; isolation onto an own queue of <paramref name="IsolatedQueueCapacity"/> events
/// once sampled calls take longer than <paramref name="SlowCall"/> (three times) or one call stalls.
/// </summary>
internal sealed record RunnerPolicy(int MaxFaults, TimeSpan FaultWindow, TimeSpan SlowCall, int IsolatedQueueCapacity)
{
    public const int SlowSamplesToIsolate = 3;

    public static RunnerPolicy Default { get; } = new(10, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50), 10_000);
}

/// <summary>What a runner does with events.</summary>
internal enum SignatureState
{
    /// <summary>Receives every selected event.</summary>
    Active,

    /// <summary>Too slow or stuck: receives events through its own bounded queue and thread; overflow is dropped and counted.</summary>
    Isolated,

    /// <summary>Threw too often; receives nothing until its plugin is reloaded.</summary>
    Quarantined,
}

/// <summary>
/// Owns one initialized signature: delivers events and signals to it, contains its exceptions, quarantines it
/// when it keeps failing, and counts what it did. Only the engine's dispatch thread calls <see cref="Deliver"/>
/// and <see cref="Signal"/>, and findings are reported from inside them, so the counters are written by that one
/// thread without atomics; other threads read them with <see cref="Volatile"/> (64-bit reads do not tear).
/// </summary>
internal sealed partial class SignatureRunner
{
    private readonly ILogger _logger;
    private readonly RunnerPolicy _policy;
    private readonly TimeProvider _clock;
    private readonly Queue<DateTimeOffset> _recentFaults = new();
    private readonly LatencySamples _latency = new(1024);
    private Isolation? _isolation;
    private long _events;
    private long _findings;
    private long _faults;
    private long _skipped;
    private long _dropped;
    private int _slowSamples;
    private bool _sampleRequested;
    private int _quarantined;

    public SignatureRunner(Signature signature, SignatureMetadata metadata, PluginInfo plugin, ILogger logger, RunnerPolicy? policy = null, TimeProvider? clock = null)
    {
        Signature = signature;
        Metadata = metadata;
        Plugin = plugin;
        Selectors = signature.Selectors.ToArray();
        FilePatterns = signature.FilePatterns?.Where(p => !string.IsNullOrEmpty(p)).ToArray() ?? [];
        _logger = logger;
        _policy = policy ?? RunnerPolicy.Default;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>A runner that never runs: the engine's marker for a call it has given up on.</summary>
    public static SignatureRunner Placeholder { get; } = new(new NoSignature(), NoSignature.Meta, new PluginInfo("none", "none", "none", "none", []), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    public Signature Signature { get; }

    public SignatureMetadata Metadata { get; }

    public PluginInfo Plugin { get; }

    /// <summary>The selectors read once at load; a signature cannot change them later.</summary>
    public IReadOnlyList<EventSelector> Selectors { get; }

    /// <summary>The file patterns read once after Init; feeds that filter at the source watch only these.</summary>
    public IReadOnlyList<string> FilePatterns { get; }

    public SignatureState State =>
        Volatile.Read(ref _quarantined) == 1 ? SignatureState.Quarantined
        : IsIsolated ? SignatureState.Isolated
        : SignatureState.Active;

    /// <summary>True once the runner gets events through its own queue instead of inline calls.</summary>
    public bool IsIsolated => Volatile.Read(ref _isolation) is not null;

    /// <summary>Events dropped because the isolated runner's queue was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    public long Events => Volatile.Read(ref _events);

    public long Findings => Volatile.Read(ref _findings);

    public long Faults => Volatile.Read(ref _faults);

    /// <summary>Events not delivered because the signature was quarantined.</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Sampled time per event: (p50, p99) in microseconds, or null before any sample.</summary>
    public (double P50, double P99)? Latency => _latency.Percentiles();

    /// <summary>
    /// How the engine reaches the runner: <see cref="Inline"/> (call <see cref="DeliverInline"/>), or anything else
    /// (call <see cref="Deliver"/>, which queues or skips). One plain read on the hot path.
    /// </summary>
    public const int Inline = 0;

    /// <summary>See <see cref="Inline"/>.</summary>
    public int Mode => _quarantined != 0 ? 2 : _isolation is null ? Inline : 1;

    /// <summary>For a runner not in <see cref="Inline"/> mode: queue the event if isolated, skip it if quarantined.</summary>
    public void Deliver(SecurityEvent securityEvent)
    {
        if (_quarantined != 0)
        {
            _skipped++;
        }
        else if (_isolation is { } isolation)
        {
            if (!isolation.TryQueue(new Work(securityEvent, null)))
            {
                _dropped++;
            }
        }
        else
        {
            DeliverInline(securityEvent);
        }
    }

    /// <summary>
    /// Asks the runner to time its next call. The watchdog asks a few times a second, so timing costs the hot
    /// path one flag read instead of two clock reads per call.
    /// </summary>
    public void RequestSample() => Volatile.Write(ref _sampleRequested, true);

    /// <summary>Calls OnEvent on the engine thread, timing it when a sample was requested.</summary>
    public void DeliverInline(SecurityEvent securityEvent)
    {
        _events++;
        if (!_sampleRequested)
        {
            try
            {
                Signature.OnEvent(securityEvent);
            }
            catch (Exception ex)
            {
                Fault("OnEvent", securityEvent.Name, ex);
            }
        }
        else
        {
            DeliverTimed(securityEvent);
        }

        if (_isolation is { } stalled)
        {
            stalled.StuckCallReturned(); // the watchdog gave up on this call while it ran
        }
    }

    private void DeliverTimed(SecurityEvent securityEvent)
    {
        _sampleRequested = false;
        long started = Stopwatch.GetTimestamp();
        try
        {
            Signature.OnEvent(securityEvent);
        }
        catch (Exception ex)
        {
            Fault("OnEvent", securityEvent.Name, ex);
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        _latency.Add(elapsed);
        if (elapsed > _policy.SlowCall && ++_slowSamples >= RunnerPolicy.SlowSamplesToIsolate && _isolation is null)
        {
            Isolate($"sampled calls took longer than {_policy.SlowCall.TotalMilliseconds:0} ms", callInProgress: false);
        }
    }

    public void Signal(Signal signal)
    {
        if (_quarantined != 0)
        {
            return;
        }

        if (_isolation is { } isolation)
        {
            isolation.TryQueue(new Work(null, signal));
            return;
        }

        InvokeSignal(signal);
        Volatile.Read(ref _isolation)?.StuckCallReturned();
    }

    /// <summary>
    /// From now on the runner gets events through its own bounded queue and thread, so it cannot slow the engine.
    /// With <paramref name="callInProgress"/>, the thread waits until the stuck call returns before calling the
    /// signature again (a signature is never called from two threads at once).
    /// </summary>
    public void Isolate(string reason, bool callInProgress = true)
    {
        var isolation = new Isolation(this, _policy.IsolatedQueueCapacity, callInProgress);
        if (Interlocked.CompareExchange(ref _isolation, isolation, null) is null)
        {
            LogIsolated(_logger, Metadata.Id, reason, _policy.IsolatedQueueCapacity);
            isolation.Start();
        }
    }

    /// <summary>
    /// Stops taking events into the isolated queue and waits, up to the deadline, for it to drain; what is still
    /// queued then is discarded and counted as dropped.
    /// </summary>
    public Task DrainIsolationAsync(TimeSpan deadline) =>
        Volatile.Read(ref _isolation) is { } isolation ? isolation.DrainAsync(deadline) : Task.CompletedTask;

    /// <summary>Discards the isolated queue at once (the plugin is being unloaded).</summary>
    public void AbandonIsolation() => Volatile.Read(ref _isolation)?.Abandon();

    /// <summary>Calls OnEvent on the isolation thread, timing it when a sample was requested.</summary>
    private void InvokeIsolated(SecurityEvent securityEvent)
    {
        _events++;
        bool timed = Volatile.Read(ref _sampleRequested);
        _sampleRequested = false;
        long started = timed ? Stopwatch.GetTimestamp() : 0;
        try
        {
            Signature.OnEvent(securityEvent);
        }
        catch (Exception ex)
        {
            Fault("OnEvent", securityEvent.Name, ex);
        }

        if (timed)
        {
            _latency.Add(Stopwatch.GetElapsedTime(started));
        }
    }

    private void InvokeSignal(Signal signal)
    {
        try
        {
            Signature.OnSignal(signal);
        }
        catch (Exception ex)
        {
            Fault("OnSignal", signal.Kind.ToString(), ex);
        }
    }

    public void CountFinding() => _findings++;

    private void Fault(string method, string input, Exception ex)
    {
        _faults++;
        LogFault(_logger, Metadata.Id, method, input, ex.GetType().Name, ex.Message);
        DateTimeOffset now = _clock.GetUtcNow();
        _recentFaults.Enqueue(now);
        while (_recentFaults.Count > 0 && now - _recentFaults.Peek() > _policy.FaultWindow)
        {
            _recentFaults.Dequeue();
        }

        if (_recentFaults.Count >= _policy.MaxFaults && Interlocked.Exchange(ref _quarantined, 1) == 0)
        {
            LogQuarantined(_logger, Metadata.Id, Plugin.AssemblyPath, _recentFaults.Count, _policy.FaultWindow.TotalSeconds);
        }
    }

    private readonly record struct Work(SecurityEvent? Event, Signal? Signal);

    /// <summary>An isolated runner's own bounded queue and the thread that drains it.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source never has a timer, so it holds nothing to dispose; it lives as long as the runner.")]
    private sealed class Isolation(SignatureRunner runner, int capacity, bool callInProgress)
    {
        private readonly System.Threading.Channels.Channel<Work> _queue = System.Threading.Channels.Channel.CreateBounded<Work>(
            new System.Threading.Channels.BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });

        private readonly TaskCompletionSource _stuckCallDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _abandon = new();
        private Task _worker = Task.CompletedTask;

        public void Start()
        {
            if (!callInProgress)
            {
                _stuckCallDone.TrySetResult();
            }

            _worker = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        }

        public bool TryQueue(Work work) => _queue.Writer.TryWrite(work);

        public void StuckCallReturned() => _stuckCallDone.TrySetResult();

        public async Task DrainAsync(TimeSpan deadline)
        {
            _queue.Writer.TryComplete();
            await Task.WhenAny(_worker, Task.Delay(deadline)).ConfigureAwait(false);
            Abandon();
        }

        public void Abandon()
        {
            _queue.Writer.TryComplete();
            _abandon.Cancel();
            while (_queue.Reader.TryRead(out _))
            {
                Interlocked.Increment(ref runner._dropped);
            }
        }

        private async Task RunAsync()
        {
            try
            {
                await _stuckCallDone.Task.WaitAsync(_abandon.Token).ConfigureAwait(false);
                await DrainQueueAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Abandoned: what was left is counted as dropped.
            }
        }

        private async Task DrainQueueAsync()
        {
            await foreach (Work work in _queue.Reader.ReadAllAsync(_abandon.Token).ConfigureAwait(false))
            {
                if (Volatile.Read(ref runner._quarantined) != 0)
                {
                    Interlocked.Increment(ref runner._skipped);
                }
                else if (work.Event is { } securityEvent)
                {
                    runner.InvokeIsolated(securityEvent);
                }
                else
                {
                    runner.InvokeSignal(work.Signal!);
                }
            }
        }
    }

    /// <summary>The metadata-only signature behind <see cref="Placeholder"/>.</summary>
    private sealed class NoSignature : Signature
    {
        public static readonly SignatureMetadata Meta = new()
        {
            Id = "(none)", Version = "0", Name = "(none)", EventName = "(none)", Description = "(none)", Severity = Severity.Info,
        };

        public override SignatureMetadata Metadata => Meta;

        public override IReadOnlyList<EventSelector> Selectors => [];

        public override void OnEvent(SecurityEvent securityEvent)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signature {Id} threw from {Method} ({Input}): {Exception}: {Reason}")]
    private static partial void LogFault(ILogger logger, string id, string method, string input, string exception, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signature {Id} isolated: {Reason}; it now gets events through its own queue of {Capacity} (overflow is dropped and counted) so the others keep their pace")]
    private static partial void LogIsolated(ILogger logger, string id, string reason, int capacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "Signature {Id} quarantined after {Faults} faults within {Seconds} s; it receives nothing until {File} is reloaded")]
    private static partial void LogQuarantined(ILogger logger, string id, string file, int faults, double seconds);
}

/// <summary>A fixed ring of recent timings; percentiles are computed on demand from a copy.</summary>
internal sealed class LatencySamples(int capacity)
{
    private readonly double[] _microseconds = new double[capacity];
    private readonly Lock _gate = new();
    private int _count;
    private int _next;

    public void Add(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _microseconds[_next] = elapsed.TotalMicroseconds;
            _next = (_next + 1) % _microseconds.Length;
            _count = Math.Min(_count + 1, _microseconds.Length);
        }
    }

    public (double P50, double P99)? Percentiles()
    {
        double[] copy;
        lock (_gate)
        {
            if (_count == 0)
            {
                return null;
            }

            copy = _microseconds[.._count];
        }

        Array.Sort(copy);
        return (copy[(int)(0.50 * (copy.Length - 1))], copy[(int)(0.99 * (copy.Length - 1))]);
    }
}

/// <summary>The host's side of <see cref="SignatureContext"/> for one signature.</summary>
internal sealed class HostSignatureContext(
    JsonElement config,
    TimeProvider clock,
    ILogger logger,
    IFindingSink sink) : SignatureContext
{
    private static readonly IReadOnlyDictionary<string, object?> EmptyData = new Dictionary<string, object?>();
    private SignatureRunner? _runner;

    public override JsonElement Config { get; } = config;

    public override TimeProvider Clock { get; } = clock;

    /// <summary>Connects the context to its runner once the signature has been accepted.</summary>
    public void Attach(SignatureRunner runner) => _runner = runner;

    public override void Log(SignatureLogLevel level, string message)
    {
        LogLevel mapped = level switch
        {
            SignatureLogLevel.Debug => LogLevel.Debug,
            SignatureLogLevel.Information => LogLevel.Information,
            SignatureLogLevel.Warning => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if (logger.IsEnabled(mapped))
        {
            logger.Log(mapped, "{Message}", message);
        }
    }

    public override void Report(SecurityEvent trigger, IReadOnlyDictionary<string, object?>? data = null)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        SignatureRunner runner = _runner ?? throw new InvalidOperationException("A signature cannot report findings during Init.");
        runner.CountFinding();
        sink.Publish(new Finding(trigger.Time, runner.Metadata, trigger, data ?? EmptyData));
    }
}
