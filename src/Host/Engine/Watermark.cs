namespace Sigs.Host.Engine;

/// <summary>
/// The engine's notion of "now" for signatures, in event time: the latest event time seen (less the lateness bound
/// of a feed that puts events back in order), moved by the wall clock only while no event arrives, by the time that
/// passed. So windows close the same way in replay, in a run, on a followed file, after a spool drains and on a
/// correlator: a batch of older events arriving late is not expired by the wall clock. Used by one thread.
/// </summary>
internal sealed class Watermark(TimeSpan lateness)
{
    private DateTimeOffset? _time;
    private long _lastTick = -1;
    private bool _eventSinceTick;

    /// <summary>The current watermark, or null before the first event.</summary>
    public DateTimeOffset? Time => _time;

    /// <summary>An event happened at <paramref name="eventTime"/>: the watermark moves up to it (less the lateness bound), never back.</summary>
    public void Observe(DateTimeOffset eventTime)
    {
        DateTimeOffset candidate = eventTime - lateness;
        if (_time is not { } current || candidate > current)
        {
            _time = candidate;
        }

        _eventSinceTick = true;
    }

    /// <summary>
    /// A tick at monotonic timestamp <paramref name="now"/> of <paramref name="clock"/>: when no event arrived since
    /// the previous tick, the watermark moves by the time that passed. Returns the watermark, or null before the first event.
    /// </summary>
    public DateTimeOffset? Tick(long now, TimeProvider clock)
    {
        if (_lastTick >= 0 && !_eventSinceTick && _time is { } current)
        {
            _time = current + clock.GetElapsedTime(_lastTick, now);
        }

        _lastTick = now;
        _eventSinceTick = false;
        return _time;
    }
}
