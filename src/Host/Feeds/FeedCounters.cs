using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>What one feed did, for logs and the admin endpoint. Thread-safe.</summary>
internal sealed class FeedCounters
{
    /// <summary>The label of events whose name the contract does not know.</summary>
    public const string OtherEventName = "other";

    private static readonly FrozenSet<string> KnownEventNames = FrozenSet.Create(
        StringComparer.Ordinal, EventNames.FileOpen, EventNames.FileRename, EventNames.ProcessExec, EventNames.ProcessExit, EventNames.KubernetesAudit);

    private readonly ConcurrentDictionary<string, StrongBox<long>> _eventsByName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<FeedGauge, long> _gauges = new();
    private long _events;
    private long _decodeErrors;
    private long _reconnects;
    private long _rejected;
    private int _connected;
    private string? _degraded;

    /// <summary>True while the feed is connected to its sensor (or listening, for receivers).</summary>
    public bool Connected => Volatile.Read(ref _connected) == 1;

    public long Events => Interlocked.Read(ref _events);

    /// <summary>Inputs that could not be decoded: malformed frames, payloads or lines.</summary>
    public long DecodeErrors => Interlocked.Read(ref _decodeErrors);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Inputs refused because the queue was full (answered 503) or too large.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public void SetConnected(bool connected) => Volatile.Write(ref _connected, connected ? 1 : 0);

    /// <summary>Why the sensor behind the feed is not delivering everything now (for /healthz), or null.</summary>
    public string? Degraded => Volatile.Read(ref _degraded);

    public void SetDegraded(string? reason) => Volatile.Write(ref _degraded, reason);

    /// <summary>Events received so far, by contract event name.</summary>
    public IReadOnlyDictionary<string, long> EventsByName => _eventsByName.ToDictionary(e => e.Key, e => Interlocked.Read(ref e.Value.Value), StringComparer.Ordinal);

    /// <summary>The gauges this feed has set so far (a feed sets only those that apply to it).</summary>
    public IReadOnlyDictionary<FeedGauge, long> Gauges => _gauges.ToDictionary();

    public void SetGauge(FeedGauge gauge, long value) => _gauges[gauge] = value;

    /// <summary>
    /// Counts one event under its name when the contract knows it, else under <see cref="OtherEventName"/>: the
    /// names are metric labels, and a sensor sending ever new names must not grow /metrics without bound.
    /// </summary>
    public void CountEvent(string name)
    {
        Interlocked.Increment(ref _events);
        string label = KnownEventNames.Contains(name) ? name : OtherEventName;
        Interlocked.Increment(ref _eventsByName.GetOrAdd(label, static _ => new StrongBox<long>()).Value);
    }

    public void CountDecodeError() => Interlocked.Increment(ref _decodeErrors);

    public void CountReconnect() => Interlocked.Increment(ref _reconnects);

    public void CountRejected() => Interlocked.Increment(ref _rejected);
}
