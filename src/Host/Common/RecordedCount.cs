using System.Diagnostics.Metrics;

namespace Sigs.Host.Common;

/// <summary>
/// A count a component keeps (for its own use: /plugins, /healthz, logs) and records on a metrics instrument at
/// the same place, once <see cref="Attach"/> gave it one. Thread-safe.
/// </summary>
/// <remarks>
/// A count made once per event (<paramref name="perEvent"/>) records on its instrument every
/// <see cref="PerEventBatch"/> counts, and whatever is left whenever a reader collects
/// (<see cref="SigsInstruments.Flush"/>): what a reader sees is exact, and the hot path pays for the instrument
/// once in that many events instead of on each. A count with one writer thread (<paramref name="singleWriter"/>:
/// the engine's) adds without an atomic instruction; any thread may read it.
/// </remarks>
internal sealed class RecordedCount(bool perEvent = false, bool singleWriter = false)
{
    public const int PerEventBatch = 256;

    private long _value;
    private long _recorded;
    private Counter<long>? _counter;
    private KeyValuePair<string, object?>[] _tags = [];

    public long Value => Interlocked.Read(ref _value);

    /// <returns>The count after adding.</returns>
    public long Add(long delta = 1)
    {
        long value;
        if (singleWriter)
        {
            value = _value + delta;
            Volatile.Write(ref _value, value);
        }
        else
        {
            value = Interlocked.Add(ref _value, delta);
        }

        if (_counter is { } counter)
        {
            if (!perEvent)
            {
                counter.Add(delta, _tags);
            }
            else if (value - Volatile.Read(ref _recorded) >= PerEventBatch)
            {
                Record(value);
            }
        }

        return value;
    }

    /// <summary>Records what was counted and not yet recorded.</summary>
    public void Flush()
    {
        if (_counter is not null)
        {
            Record(Value);
        }
    }

    /// <summary>
    /// Records on <paramref name="counter"/> from now on, with <paramref name="tags"/>, starting with what was
    /// counted before (0 too: the series then exists from the start, as Prometheus advises). Attach before the
    /// component starts counting (the host does, before it runs anything).
    /// </summary>
    public void Attach(SigsInstruments instruments, Counter<long> counter, params KeyValuePair<string, object?>[] tags)
    {
        _tags = tags;
        _counter = counter;
        if (perEvent)
        {
            instruments.FlushWhenCollected(this);
        }

        counter.Add(0, tags);
        Record(Value);
    }

    /// <summary>Records the growth up to <paramref name="value"/> once, whichever thread gets there first.</summary>
    private void Record(long value)
    {
        long recorded = Volatile.Read(ref _recorded);
        while (value > recorded)
        {
            long seen = Interlocked.CompareExchange(ref _recorded, value, recorded);
            if (seen == recorded)
            {
                _counter!.Add(value - recorded, _tags);
                return;
            }

            recorded = seen;
        }
    }
}
