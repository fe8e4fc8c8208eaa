using System.Collections.Concurrent;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>An engine stand-in for feed tests: keeps events, tells the feed each was processed, keeps replays apart.</summary>
internal sealed class AcknowledgingSink : IEventSink
{
    private readonly ConcurrentQueue<SecurityEvent> _events = new();
    private readonly ConcurrentQueue<SecurityEvent> _replayed = new();

    public IReadOnlyList<SecurityEvent> Events => [.. _events];

    public IReadOnlyList<SecurityEvent> Replayed => [.. _replayed];

    /// <summary>When set, events are kept but not acknowledged (an engine that has not processed them yet).</summary>
    public bool Holding { get; set; }

    public ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
    {
        _events.Enqueue(securityEvent);
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(SecurityEvent securityEvent, Action processed, CancellationToken cancellationToken)
    {
        _events.Enqueue(securityEvent);
        if (!Holding)
        {
            processed();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ReplayAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
    {
        _replayed.Enqueue(securityEvent);
        return ValueTask.CompletedTask;
    }

    public bool TryPublishAll(IReadOnlyList<SecurityEvent> events) => throw new NotSupportedException();
}
