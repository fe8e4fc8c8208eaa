using Sigs.Host.Contract;

namespace Sigs.Host.Feeds;

/// <summary>A feed under the name <see cref="FeedNames"/> gave it; its own logs keep naming its address or path.</summary>
internal sealed class NamedFeed(IEventFeed inner, string name) : IEventFeed
{
    public string Name => name;

    /// <summary>The feed itself.</summary>
    public IEventFeed Inner => inner;

    public FeedCounters Counters => inner.Counters;

    /// <summary>The inner feed's sets, its own name replaced by this one ("tracee fallback" for a fallback's).</summary>
    public IReadOnlyList<(string Feed, FeedCounters Counters)> CounterSets =>
        [.. inner.CounterSets.Select(set => (set.Feed.StartsWith(inner.Name, StringComparison.Ordinal) ? name + set.Feed[inner.Name.Length..] : set.Feed, set.Counters))];

    public TimeSpan Lateness => inner.Lateness;

    public Task RunAsync(IEventSink sink, CancellationToken cancellationToken) => inner.RunAsync(sink, cancellationToken);
}
