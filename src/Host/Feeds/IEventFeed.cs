using Sigs.Host.Contract;

namespace Sigs.Host.Feeds;

/// <summary>A source of events for <c>sigs run</c>. It runs until its input ends or it is cancelled.</summary>
internal interface IEventFeed
{
    string Name { get; }

    FeedCounters Counters { get; }

    Task RunAsync(IEventSink sink, CancellationToken cancellationToken);
}
