namespace Sigs.Host.Feeds;

/// <summary>
/// What one HTTP receiver holds at most: the largest body, the requests being received at once, and the bytes
/// of all bodies being received together. Past either of the last two it answers 503 with <c>Retry-After</c>,
/// so slow or stalled senders cannot pile up memory.
/// </summary>
internal sealed record ReceiverLimits(long MaxBodyBytes, int MaxConcurrentRequests = ReceiverLimits.DefaultMaxConcurrentRequests, long MaxBufferedBytes = ReceiverLimits.DefaultMaxBufferedBytes)
{
    public const int DefaultMaxConcurrentRequests = 16;
    public const long DefaultMaxBufferedBytes = 64 * 1024 * 1024;
}
