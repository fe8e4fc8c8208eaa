using System.Diagnostics.Metrics;

namespace Sigs.Host.Common;

/// <summary>
/// A count a component keeps (for its own use: /plugins, /healthz, logs) and records on a metrics instrument at
/// the same place, once <see cref="Attach"/> gave it one. Thread-safe.
/// </summary>
internal sealed class RecordedCount
{
    private long _value;
    private Counter<long>? _counter;
    private KeyValuePair<string, object?>[] _tags = [];

    public long Value => Interlocked.Read(ref _value);

    /// <returns>The count after adding.</returns>
    public long Add(long delta = 1)
    {
        long value = Interlocked.Add(ref _value, delta);
        _counter?.Add(delta, _tags);
        return value;
    }

    /// <summary>
    /// Records on <paramref name="counter"/> from now on, with <paramref name="tags"/>, starting with what was
    /// counted before (0 too: the series then exists from the start, as Prometheus advises). Attach before the
    /// component starts counting (the host does, before it runs anything).
    /// </summary>
    public void Attach(Counter<long> counter, params KeyValuePair<string, object?>[] tags)
    {
        _tags = tags;
        _counter = counter;
        counter.Add(Value, tags);
    }
}
