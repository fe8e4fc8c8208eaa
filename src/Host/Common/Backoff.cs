namespace Sigs.Host.Common;

/// <summary>Capped exponential backoff with ±20% jitter.</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan maximum)
{
    private TimeSpan _next = TimeSpan.Zero;

    public TimeSpan Next()
    {
        TimeSpan current = _next == TimeSpan.Zero ? initial : _next;
        _next = TimeSpan.FromTicks(Math.Min(maximum.Ticks, current.Ticks * 2));
        double jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromTicks((long)(current.Ticks * jitter));
    }

    public void Reset() => _next = TimeSpan.Zero;
}
