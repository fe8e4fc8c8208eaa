namespace Sigs.Host.Feeds.Native;

/// <summary>
/// Whether the probe is losing events now: from the first loss seen until a quiet period has passed without
/// another, with the losses counted in that time. Fed a running total of losses of every kind; used by one thread.
/// </summary>
internal sealed class RecentLosses(TimeSpan quiet)
{
    /// <summary>How long detection stays reported degraded after the last loss.</summary>
    public static readonly TimeSpan DefaultQuiet = TimeSpan.FromMinutes(1);

    private long _total;
    private DateTimeOffset _lastLoss;

    /// <summary>Losses since detection was last whole; 0 while it is.</summary>
    public long Recent { get; private set; }

    /// <summary>Takes the running total of losses at <paramref name="now"/>; true while losses are recent.</summary>
    public bool Update(long total, DateTimeOffset now)
    {
        if (total > _total)
        {
            Recent += total - _total;
            _lastLoss = now;
        }

        _total = total;
        if (Recent > 0 && now - _lastLoss >= quiet)
        {
            Recent = 0;
        }

        return Recent > 0;
    }
}
