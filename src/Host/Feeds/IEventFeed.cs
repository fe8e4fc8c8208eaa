using Sigs.Host.Contract;

namespace Sigs.Host.Feeds;

/// <summary>A source of events for <c>sigs run</c>. It runs until its input ends or it is cancelled.</summary>
internal interface IEventFeed
{
    string Name { get; }

    FeedCounters Counters { get; }

    /// <summary>Every set of counts the feed keeps, each under the feed name it is exported with.</summary>
    IReadOnlyList<(string Feed, FeedCounters Counters)> CounterSets => [(Name, Counters)];

    /// <summary>How much older than the newest event an event this feed delivers may still be (its reorder bound); zero for most.</summary>
    TimeSpan Lateness => TimeSpan.Zero;

    Task RunAsync(IEventSink sink, CancellationToken cancellationToken);
}
