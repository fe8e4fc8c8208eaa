namespace Sigs.Host.Feeds.Nats;

/// <summary>
/// Puts events from many paths back in event-time order within a lateness bound: an event is held until an event
/// at least <c>lateness</c> newer has arrived, or it has waited <c>lateness</c> itself (so a quiet stream still
/// flows), and events leave oldest first. An event older than one already released is late: it leaves at once,
/// counted. At most <c>capacity</c> wait; past that the oldest leaves early. Not thread-safe.
/// </summary>
internal sealed class EventTimeOrder<T>(TimeSpan lateness, int capacity)
{
    private readonly PriorityQueue<Held, (DateTimeOffset Time, long Order)> _held = new();
    private DateTimeOffset _newest = DateTimeOffset.MinValue;
    private DateTimeOffset _released = DateTimeOffset.MinValue;
    private long _order;

    public int Count => _held.Count;

    /// <summary>Events that arrived after a newer one had been released.</summary>
    public long Late { get; private set; }

    /// <summary>Takes one item; false (and counted) when it is late: release it at once.</summary>
    public bool Add(T item, DateTimeOffset time, long arrivedAt)
    {
        if (time < _released)
        {
            Late++;
            return false;
        }

        if (time > _newest)
        {
            _newest = time;
        }

        _held.Enqueue(new Held(item, arrivedAt), (time, _order++));
        return true;
    }

    /// <summary>Takes out, oldest first, what may leave now; <paramref name="now"/> and <paramref name="frequency"/> are the arrival clock's.</summary>
    public void Release(long now, long frequency, List<T> ready)
    {
        long waited = (long)(lateness.TotalSeconds * frequency);
        while (_held.TryPeek(out Held held, out (DateTimeOffset Time, long Order) key)
            && (key.Time.UtcTicks <= _newest.UtcTicks - lateness.Ticks || now - held.ArrivedAt >= waited || _held.Count > capacity))
        {
            _held.Dequeue();
            _released = key.Time;
            ready.Add(held.Item);
        }
    }

    /// <summary>Everything, oldest first: the input ends.</summary>
    public void ReleaseAll(List<T> ready)
    {
        while (_held.TryDequeue(out Held held, out (DateTimeOffset Time, long Order) key))
        {
            _released = key.Time;
            ready.Add(held.Item);
        }
    }

    private readonly record struct Held(T Item, long ArrivedAt);
}
