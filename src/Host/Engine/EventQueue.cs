using System.Threading.Channels;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>
/// The one bounded queue in front of the engine thread: events from every feed, the ticks, and actions that must
/// run between two events. Only the engine loop reads it.
/// </summary>
internal sealed class EventQueue : IEventSink
{
    public const int Capacity = 65_536;

    private readonly Channel<EngineWork> _queue = Channel.CreateBounded<EngineWork>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Work waiting now.</summary>
    public int Count => _queue.Reader.Count;

    public ChannelReader<EngineWork> Reader => _queue.Reader;

    public ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(new EngineWork(securityEvent, null), cancellationToken);

    public ValueTask PublishAsync(SecurityEvent securityEvent, Action processed, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(new EngineWork(securityEvent, null, Processed: processed), cancellationToken);

    public ValueTask ReplayAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(new EngineWork(securityEvent, null, Replayed: true), cancellationToken);

    public bool TryPublishAll(IReadOnlyList<SecurityEvent> events)
    {
        // Only the engine loop takes items out, so room seen here can only grow until these writes finish;
        // other receivers may race for it, in which case the rest of the batch waits briefly for the engine.
        if (Capacity - _queue.Reader.Count < events.Count)
        {
            return false;
        }

        foreach (SecurityEvent securityEvent in events)
        {
            if (!_queue.Writer.TryWrite(new EngineWork(securityEvent, null)))
            {
                _queue.Writer.WriteAsync(new EngineWork(securityEvent, null)).AsTask().GetAwaiter().GetResult();
            }
        }

        return true;
    }

    /// <summary>A tick is only a hint to expire state: when the queue is full, the next one will do.</summary>
    public void TryPost(Signal signal) => _queue.Writer.TryWrite(new EngineWork(null, signal));

    /// <summary>
    /// Runs <paramref name="action"/> on the engine thread between two events, so it sees no event half-delivered;
    /// completes when it has run.
    /// </summary>
    public async Task RunOnEngineThreadAsync(Action action, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new EngineWork(null, null, () =>
        {
            try
            {
                action();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        }), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes no more work; the loop ends once it has read what is queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();
}

/// <summary>
/// One item for the engine thread: an event (with what to run once it was processed, or replayed only to rebuild
/// state), a signal, or an action to run between two events.
/// </summary>
internal readonly record struct EngineWork(SecurityEvent? Event, Signal? Signal, Action? Control = null, Action? Processed = null, bool Replayed = false);
