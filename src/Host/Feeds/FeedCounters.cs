namespace Sigs.Host.Feeds;

/// <summary>What one feed did, for logs and the admin endpoint. Thread-safe.</summary>
internal sealed class FeedCounters
{
    private long _events;
    private long _decodeErrors;
    private long _reconnects;
    private long _rejected;
    private int _connected;

    /// <summary>True while the feed is connected to its sensor (or listening, for receivers).</summary>
    public bool Connected => Volatile.Read(ref _connected) == 1;

    public long Events => Interlocked.Read(ref _events);

    /// <summary>Inputs that could not be decoded: malformed frames, payloads or lines.</summary>
    public long DecodeErrors => Interlocked.Read(ref _decodeErrors);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Inputs refused because the queue was full (answered 503) or too large.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public void SetConnected(bool connected) => Volatile.Write(ref _connected, connected ? 1 : 0);

    public void CountEvents(long count) => Interlocked.Add(ref _events, count);

    public void CountDecodeError() => Interlocked.Increment(ref _decodeErrors);

    public void CountReconnect() => Interlocked.Increment(ref _reconnects);

    public void CountRejected() => Interlocked.Increment(ref _rejected);
}
