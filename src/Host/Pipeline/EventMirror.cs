using System.Threading.Channels;
using Sigs.Plugins;

namespace Sigs.Host.Pipeline;

/// <summary>
/// Copies of the events the engine runs (as signatures get them), for the readers of the admin endpoint's
/// <c>/events</c>. Each reader has its own bounded queue and filter; an event a slow reader has no room for is
/// dropped for that reader alone and counted, so the engine never waits on a reader. With no reader, an event
/// costs one read of an empty array.
/// </summary>
internal sealed class EventMirror
{
    /// <summary>At most this many readers at once; another is refused.</summary>
    public const int MaxReaders = 4;

    /// <summary>Events queued per reader: with at most 4 readers and an event at most ~70 KiB (argv and a request body capped), at most ~70 MiB held.</summary>
    public const int QueueCapacity = 256;

    private readonly Lock _gate = new();
    private Reader[] _readers = [];

    /// <summary>A new reader of the events <paramref name="wanted"/> accepts; null when <see cref="MaxReaders"/> read already.</summary>
    public Reader? TryAdd(Func<SecurityEvent, bool> wanted)
    {
        lock (_gate)
        {
            if (_readers.Length >= MaxReaders)
            {
                return null;
            }

            var reader = new Reader(this, wanted);
            _readers = [.. _readers, reader];
            return reader;
        }
    }

    /// <summary>Called from the engine thread for every event it runs.</summary>
    public void Offer(SecurityEvent securityEvent)
    {
        Reader[] readers = Volatile.Read(ref _readers);
        for (int i = 0; i < readers.Length; i++)
        {
            readers[i].Offer(securityEvent);
        }
    }

    private void Remove(Reader reader)
    {
        lock (_gate)
        {
            _readers = [.. _readers.Where(r => r != reader)];
        }
    }

    /// <summary>One reader: its queue, and the events it had no room for since it last asked.</summary>
    public sealed class Reader : IDisposable
    {
        private readonly EventMirror _mirror;
        private readonly Func<SecurityEvent, bool> _wanted;
        private readonly Channel<SecurityEvent> _queue;
        private long _dropped;

        internal Reader(EventMirror mirror, Func<SecurityEvent, bool> wanted)
        {
            _mirror = mirror;
            _wanted = wanted;
            _queue = Channel.CreateBounded<SecurityEvent>(
                new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, SingleWriter = true },
                _ => Interlocked.Increment(ref _dropped));
        }

        public ChannelReader<SecurityEvent> Events => _queue.Reader;

        /// <summary>Events dropped for this reader since the last call.</summary>
        public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

        internal void Offer(SecurityEvent securityEvent)
        {
            if (_wanted(securityEvent))
            {
                _queue.Writer.TryWrite(securityEvent);
            }
        }

        public void Dispose()
        {
            _mirror.Remove(this);
            _queue.Writer.TryComplete();
        }
    }
}
