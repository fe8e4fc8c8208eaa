using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Sigs.Plugins;
using Sigs.Host.Common;

namespace Sigs.Host.Engine;

/// <summary>
/// Owns one initialized signature: delivers events and signals to it, contains its exceptions, quarantines it
/// when it keeps failing, and counts what it did.
/// </summary>
/// <remarks>
/// The signature is called from one thread at a time: the engine thread, or once isolated its own thread (the
/// hand-over waits for a stuck call to return). <see cref="Events"/> is written only by that calling thread, so
/// it needs no atomics on the hot path; the hand-over between threads goes through interlocked operations,
/// which order it. The other counters can be written from two threads at once (the engine skips or drops an
/// event while the isolated thread counts a finding or a fault), so they are interlocked. Readers on other
/// threads use <see cref="Volatile"/> (64-bit reads do not tear).
/// </remarks>
internal sealed partial class SignatureRunner
{
    private readonly ILogger _logger;
    private readonly RunnerPolicy _policy;
    private readonly TimeProvider _clock;
    private readonly Queue<DateTimeOffset> _recentFaults = new();
    private readonly Lock _faultsGate = new();
    private readonly LatencySamples _latency = new(1024);
    private Histogram<double>? _duration;
    private KeyValuePair<string, object?>[] _durationTags = [];
    private RunnerIsolation? _isolation;
    private readonly RecordedCount _events = new(perEvent: true, singleWriter: true);
    private readonly RecordedCount _findings = new();
    private readonly RecordedCount _evictions = new();
    private readonly RecordedCount _faults = new();
    private readonly RecordedCount _skipped = new();
    private readonly RecordedCount _dropped = new();
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
        RequiredFacts = signature.RequiredFacts?.Where(f => !string.IsNullOrEmpty(f)).ToArray() ?? [];
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

    /// <summary>The facts (<see cref="EventFacts"/>) the signature says it cannot fire without, read once with the file patterns.</summary>
    public IReadOnlyList<string> RequiredFacts { get; }

    public SignatureState State =>
        IsQuarantined ? SignatureState.Quarantined
        : IsIsolated ? SignatureState.Isolated
        : SignatureState.Active;

    /// <summary>True once the runner gets events through its own queue instead of inline calls.</summary>
    public bool IsIsolated => Volatile.Read(ref _isolation) is not null;

    internal bool IsQuarantined => Volatile.Read(ref _quarantined) != 0;

    /// <summary>Events dropped because the isolated runner's queue was full.</summary>
    /// <summary>Records the runner's counts on the host's instruments from now on, tagged with the signature id.</summary>
    public void Attach(SigsInstruments instruments)
    {
        var signature = SigsInstruments.Tag("signature", Metadata.Id);
        _events.Attach(instruments, instruments.SignatureEvents, signature);
        _findings.Attach(instruments, instruments.Findings, signature, SigsInstruments.Tag("severity", SeverityName(Metadata.Severity)));
        _faults.Attach(instruments, instruments.SignatureFaults, signature);
        _evictions.Attach(instruments, instruments.SignatureEvictions, signature);
        _duration = instruments.SignatureDuration;
        _durationTags = [signature];
        _skipped.Attach(instruments, instruments.Drops, SigsInstruments.DropTags("quarantine", Metadata.Id));
        _dropped.Attach(instruments, instruments.Drops, SigsInstruments.DropTags("isolated_queue", Metadata.Id));
    }

    public long Dropped => _dropped.Value;

    public long Events => _events.Value;

    public long Findings => _findings.Value;

    public long Faults => _faults.Value;

    /// <summary>Events not delivered because the signature was quarantined.</summary>
    public long Skipped => _skipped.Value;

    /// <summary>Sampled time per event: (p50, p99) in microseconds, or null before any sample.</summary>
    public (double P50, double P99)? Latency => _latency.Percentiles();

    /// <summary>How the engine reaches the runner now; plain reads, as cheap as one field on the hot path.</summary>
    public DeliveryMode Mode => _quarantined != 0 ? DeliveryMode.Skipped : _isolation is null ? DeliveryMode.Inline : DeliveryMode.Queued;

    /// <summary>
    /// True while the signature handles a replayed event (processed by an earlier run, to rebuild state): what it
    /// reports then is not a finding. Part of each call, inline or isolated, not of a thread.
    /// </summary>
    public bool Replaying { get; private set; }

    /// <summary>For a runner not in <see cref="DeliveryMode.Inline"/> mode: queue the event if isolated, skip it if quarantined.</summary>
    public void Deliver(SecurityEvent securityEvent, bool replayed = false)
    {
        if (_quarantined != 0)
        {
            CountSkipped();
        }
        else if (_isolation is { } isolation)
        {
            if (!isolation.TryQueue(new RunnerWork(securityEvent, null, replayed)))
            {
                CountDropped();
            }
        }
        else
        {
            DeliverInline(securityEvent, replayed);
        }
    }

    /// <summary>
    /// Asks the runner to time its next call. The watchdog asks a few times a second, so timing costs the hot
    /// path one flag read instead of two clock reads per call.
    /// </summary>
    public void RequestSample() => Volatile.Write(ref _sampleRequested, true);

    /// <summary>Calls OnEvent on the engine thread, timing it when a sample was requested.</summary>
    public void DeliverInline(SecurityEvent securityEvent, bool replayed = false)
    {
        _events.Add();
        Replaying = replayed;
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

        Replaying = false;
        if (_isolation is { } stalled)
        {
            stalled.StuckCallReturned(); // the watchdog gave up on this call while it ran
        }
    }

    private void DeliverTimed(SecurityEvent securityEvent)
    {
        _sampleRequested = false;
        long started = _clock.GetTimestamp();
        try
        {
            Signature.OnEvent(securityEvent);
        }
        catch (Exception ex)
        {
            Fault("OnEvent", securityEvent.Name, ex);
        }

        TimeSpan elapsed = _clock.GetElapsedTime(started);
        AddSample(elapsed);
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
            isolation.TryQueue(new RunnerWork(null, signal));
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
        var isolation = new RunnerIsolation(this, _policy.IsolatedQueueCapacity, callInProgress);
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
        Volatile.Read(ref _isolation) is { } isolation ? isolation.DrainAsync(deadline, _clock) : Task.CompletedTask;

    /// <summary>Discards the isolated queue at once (the plugin is being unloaded).</summary>
    private void AbandonIsolation() => Volatile.Read(ref _isolation)?.Abandon();

    /// <summary>Takes the signature out of service: its isolated queue discarded, the signature disposed (whatever its Dispose throws).</summary>
    public void Retire()
    {
        AbandonIsolation();
        try
        {
            Signature.Dispose();
        }
        catch (Exception)
        {
            // A faulty Dispose must not stop the retirement; the signature is going away either way.
        }
    }

    /// <summary>Calls OnEvent on the isolation thread, timing it when a sample was requested.</summary>
    internal void InvokeIsolated(SecurityEvent securityEvent, bool replayed)
    {
        _events.Add();
        Replaying = replayed;
        bool timed = Volatile.Read(ref _sampleRequested);
        _sampleRequested = false;
        long started = timed ? _clock.GetTimestamp() : 0;
        try
        {
            Signature.OnEvent(securityEvent);
        }
        catch (Exception ex)
        {
            Fault("OnEvent", securityEvent.Name, ex);
        }

        Replaying = false;
        if (timed)
        {
            AddSample(_clock.GetElapsedTime(started));
        }
    }

    internal void InvokeSignal(Signal signal)
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

    public void CountFinding() => _findings.Add();

    /// <summary>The <c>severity</c> label's value: the severity as finding JSON writes it.</summary>
    private static string SeverityName(Severity severity) => severity.ToString().ToLowerInvariant();

    /// <summary>One timed call: kept for /plugins' p50/p99 and recorded on the duration histogram.</summary>
    private void AddSample(TimeSpan elapsed)
    {
        _latency.Add(elapsed);
        _duration?.Record(elapsed.TotalSeconds, _durationTags);
    }

    /// <summary>Items the signature's state dropped at a bound (<see cref="SignatureContext.CountEvictions"/>).</summary>
    public void CountEvictions(long count) => _evictions.Add(count);

    public long Evictions => _evictions.Value;

    internal void CountSkipped() => _skipped.Add();

    internal void CountDropped() => _dropped.Add();

    private void Fault(string method, string input, Exception ex)
    {
        _faults.Add();
        LogFault(_logger, Metadata.Id, method, input, ex.GetType().Name, ex.Message);
        int recent;
        lock (_faultsGate)
        {
            DateTimeOffset now = _clock.GetUtcNow();
            _recentFaults.Enqueue(now);
            while (_recentFaults.Count > 0 && now - _recentFaults.Peek() > _policy.FaultWindow)
            {
                _recentFaults.Dequeue();
            }

            recent = _recentFaults.Count;
        }

        if (recent >= _policy.MaxFaults && Interlocked.Exchange(ref _quarantined, 1) == 0)
        {
            LogQuarantined(_logger, Metadata.Id, Plugin.AssemblyPath, recent, _policy.FaultWindow.TotalSeconds);
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
}
