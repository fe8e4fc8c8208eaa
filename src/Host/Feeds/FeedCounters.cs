using System.Collections.Concurrent;
using System.Collections.Frozen;
using Sigs.Host.Common;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>
/// What one feed did, for logs and the admin endpoint, and, once attached (<see cref="Attach"/>), on the host's
/// instruments where it is counted. Thread-safe.
/// </summary>
internal sealed class FeedCounters
{
    /// <summary>The label of events whose name the contract does not know.</summary>
    public const string OtherEventName = "other";

    private static readonly FrozenSet<string> KnownEventNames = FrozenSet.Create(
        StringComparer.Ordinal, EventNames.FileOpen, EventNames.FileRename, EventNames.ProcessExec, EventNames.ProcessExit, EventNames.KubernetesAudit);

    private readonly ConcurrentDictionary<string, RecordedCount> _eventsByName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<FeedGauge, long> _gauges = new();
    private readonly ConcurrentDictionary<string, RecordedCount> _refused = new(StringComparer.Ordinal);
    private readonly RecordedCount _decodeErrors = new();
    private readonly RecordedCount _reconnects = new();
    private readonly RecordedCount _rejected = new();
    private int _connected;
    private (SigsInstruments Instruments, string Feed)? _attached;
    private string? _degraded;

    /// <summary>True while the feed is connected to its sensor (or listening, for receivers).</summary>
    public bool Connected => Volatile.Read(ref _connected) == 1;

    public long Events => _eventsByName.Values.Sum(count => count.Value);

    /// <summary>Inputs that could not be decoded: malformed frames, payloads or lines.</summary>
    public long DecodeErrors => _decodeErrors.Value;

    public long Reconnects => _reconnects.Value;

    /// <summary>Inputs refused because the queue was full (answered 503) or too large.</summary>
    public long Rejected => _rejected.Value;

    public void SetConnected(bool connected) => Volatile.Write(ref _connected, connected ? 1 : 0);

    /// <summary>Why the sensor behind the feed is not delivering everything now (for /healthz), or null.</summary>
    public string? Degraded => Volatile.Read(ref _degraded);

    public void SetDegraded(string? reason) => Volatile.Write(ref _degraded, reason);

    /// <summary>Events received so far, by contract event name.</summary>
    public IReadOnlyDictionary<string, long> EventsByName => _eventsByName.ToDictionary(e => e.Key, e => e.Value.Value, StringComparer.Ordinal);

    /// <summary>Forwarded events a correlator refused because they did not match their sender, by reason.</summary>
    public IReadOnlyDictionary<string, long> Refused => _refused.ToDictionary(e => e.Key, e => e.Value.Value, StringComparer.Ordinal);

    /// <summary>The gauges this feed has set so far (a feed sets only those that apply to it).</summary>
    public IReadOnlyDictionary<FeedGauge, long> Gauges => _gauges.ToDictionary();

    /// <summary>
    /// Sets a current value. For a gauge that only grows (<see cref="FeedGauges.IsCounter"/>) the growth is
    /// recorded on its counter instrument here; the others are observed when a reader collects.
    /// </summary>
    public void SetGauge(FeedGauge gauge, long value)
    {
        long previous = 0;
        _gauges.AddOrUpdate(gauge, value, (_, old) =>
        {
            previous = old;
            return value;
        });
        if (_attached is { } attached && FeedGauges.IsCounter(gauge) && value > previous)
        {
            FeedGauges.Counter(attached.Instruments, gauge).Add(value - previous, SigsInstruments.Tag("feed", attached.Feed));
        }
    }

    /// <summary>Records on the host's instruments from now on, as feed <paramref name="feed"/>, starting with what was counted before.</summary>
    public void Attach(SigsInstruments instruments, string feed)
    {
        _attached = (instruments, feed);
        _decodeErrors.Attach(instruments, instruments.Drops, SigsInstruments.DropTags("decode", feed));
        _rejected.Attach(instruments, instruments.Drops, SigsInstruments.DropTags("receive", feed));
        _reconnects.Attach(instruments, instruments.Reconnects, SigsInstruments.Tag("feed", feed));
        foreach ((string label, RecordedCount count) in _eventsByName)
        {
            AttachEvents(count, label);
        }

        foreach ((string reason, RecordedCount count) in _refused)
        {
            AttachRefused(count, reason);
        }

        foreach ((FeedGauge gauge, long value) in _gauges)
        {
            if (FeedGauges.IsCounter(gauge) && value > 0)
            {
                FeedGauges.Counter(instruments, gauge).Add(value, SigsInstruments.Tag("feed", feed));
            }
        }
    }

    /// <summary>
    /// Counts one event under its name when the contract knows it, else under <see cref="OtherEventName"/>: the
    /// names are metric labels, and a sensor sending ever new names must not grow /metrics without bound.
    /// </summary>
    public void CountEvent(string name)
    {
        string label = KnownEventNames.Contains(name) ? name : OtherEventName;
        (_eventsByName.TryGetValue(label, out RecordedCount? count) ? count : _eventsByName.GetOrAdd(label, NewEventCount)).Add();
    }

    public void CountDecodeError() => _decodeErrors.Add();

    /// <summary>The counter of <see cref="CountRefused"/>.</summary>
    public static System.Diagnostics.Metrics.Counter<long> RefusedCounter(SigsInstruments instruments) =>
        instruments.Named("sigs_nats_refused_total", "Forwarded events a correlator refused because they did not match the sender NATS authenticated, by reason.");

    /// <summary>Counts one forwarded event refused for <paramref name="reason"/> (one of a few fixed labels).</summary>
    public void CountRefused(string reason) => _refused.GetOrAdd(reason, NewRefusedCount).Add();

    public void CountReconnect() => _reconnects.Add();

    public void CountRejected() => _rejected.Add();

    private RecordedCount NewEventCount(string label)
    {
        var count = new RecordedCount(perEvent: true);
        AttachEvents(count, label);
        return count;
    }

    private RecordedCount NewRefusedCount(string reason)
    {
        var count = new RecordedCount();
        AttachRefused(count, reason);
        return count;
    }

    private void AttachRefused(RecordedCount count, string reason)
    {
        if (_attached is { } attached)
        {
            count.Attach(attached.Instruments, RefusedCounter(attached.Instruments), SigsInstruments.Tag("feed", attached.Feed), SigsInstruments.Tag("reason", reason));
        }
    }

    private void AttachEvents(RecordedCount count, string label)
    {
        if (_attached is { } attached)
        {
            count.Attach(attached.Instruments, attached.Instruments.Events, SigsInstruments.Tag("feed", attached.Feed), SigsInstruments.Tag("event", label));
        }
    }
}
