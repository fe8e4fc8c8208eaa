using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>A source of events for <c>sigs run</c>. It runs until its input ends or it is cancelled.</summary>
internal interface IEventFeed
{
    string Name { get; }

    FeedCounters Counters { get; }

    Task RunAsync(IEventSink sink, CancellationToken cancellationToken);
}

/// <summary>Where feeds hand events to the engine: a bounded queue shared by every feed.</summary>
internal interface IEventSink
{
    /// <summary>Waits for room: for streams that can push back on their sender (files, gRPC flow control).</summary>
    ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken);

    /// <summary>Takes the events only if all fit now; for receivers that answer "busy" instead of waiting.</summary>
    bool TryPublishAll(IReadOnlyList<SecurityEvent> events);
}
