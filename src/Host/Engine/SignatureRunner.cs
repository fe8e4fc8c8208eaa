using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Host.Loading;
using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>When a signature that keeps throwing is quarantined: <paramref name="MaxFaults"/> within <paramref name="Window"/>.</summary>
internal sealed record FaultPolicy(int MaxFaults, TimeSpan Window)
{
    public static FaultPolicy Default { get; } = new(10, TimeSpan.FromSeconds(60));
}

/// <summary>What a runner does with events.</summary>
internal enum SignatureState
{
    /// <summary>Receives every selected event.</summary>
    Active,

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
    /// <summary>One delivery in this many is timed, so timing costs next to nothing on the hot path.</summary>
    private const int TimingSampleInterval = 16;

    private readonly ILogger _logger;
    private readonly FaultPolicy _faultPolicy;
    private readonly TimeProvider _clock;
    private readonly Queue<DateTimeOffset> _recentFaults = new();
    private readonly LatencySamples _latency = new(1024);
    private long _events;
    private long _findings;
    private long _faults;
    private long _skipped;
    private int _state;

    public SignatureRunner(Signature signature, SignatureMetadata metadata, PluginInfo plugin, ILogger logger, FaultPolicy? faultPolicy = null, TimeProvider? clock = null)
    {
        Signature = signature;
        Metadata = metadata;
        Plugin = plugin;
        Selectors = signature.Selectors.ToArray();
        _logger = logger;
        _faultPolicy = faultPolicy ?? FaultPolicy.Default;
        _clock = clock ?? TimeProvider.System;
    }

    public Signature Signature { get; }

    public SignatureMetadata Metadata { get; }

    public PluginInfo Plugin { get; }

    /// <summary>The selectors read once at load; a signature cannot change them later.</summary>
    public IReadOnlyList<EventSelector> Selectors { get; }

    public SignatureState State => (SignatureState)Volatile.Read(ref _state);

    public long Events => Volatile.Read(ref _events);

    public long Findings => Volatile.Read(ref _findings);

    public long Faults => Volatile.Read(ref _faults);

    /// <summary>Events not delivered because the signature was quarantined.</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Sampled time per event: (p50, p99) in microseconds, or null before any sample.</summary>
    public (double P50, double P99)? Latency => _latency.Percentiles();

    public void Deliver(SecurityEvent securityEvent)
    {
        if (_state != (int)SignatureState.Active)
        {
            _skipped++;
            return;
        }

        long sequence = ++_events;
        long started = sequence % TimingSampleInterval == 0 ? Stopwatch.GetTimestamp() : 0;
        try
        {
            Signature.OnEvent(securityEvent);
        }
        catch (Exception ex)
        {
            Fault("OnEvent", securityEvent.Name, ex);
        }

        if (started != 0)
        {
            _latency.Add(Stopwatch.GetElapsedTime(started));
        }
    }

    public void Signal(Signal signal)
    {
        if (_state != (int)SignatureState.Active)
        {
            return;
        }

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
        while (_recentFaults.Count > 0 && now - _recentFaults.Peek() > _faultPolicy.Window)
        {
            _recentFaults.Dequeue();
        }

        if (_recentFaults.Count >= _faultPolicy.MaxFaults)
        {
            Volatile.Write(ref _state, (int)SignatureState.Quarantined);
            LogQuarantined(_logger, Metadata.Id, Plugin.AssemblyPath, _recentFaults.Count, _faultPolicy.Window.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signature {Id} threw from {Method} ({Input}): {Exception}: {Reason}")]
    private static partial void LogFault(ILogger logger, string id, string method, string input, string exception, string reason);

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
