using Sigs.Host.Contract;

namespace Sigs.Host.Feeds;

/// <summary>A source of events for <c>sigs run</c>. It runs until its input ends or it is cancelled.</summary>
internal interface IEventFeed
{
    string Name { get; }

    FeedCounters Counters { get; }

    /// <summary>Every set of counts the feed keeps, each under the feed name it is exported with.</summary>
    IReadOnlyList<(string Feed, FeedCounters Counters)> CounterSets => [(Name, Counters)];

    Task RunAsync(IEventSink sink, CancellationToken cancellationToken);
}
