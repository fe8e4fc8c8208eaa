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

    /// <summary>A feed as /healthz and the host's logs name it: its name, and where it reads when that says more (<c>tracee (tracee:unix:/var/run/tracee.sock)</c>).</summary>
    public static string Describe(IEventFeed feed) =>
        feed is NamedFeed named && named.Inner.Name != named.Name ? $"{named.Name} ({named.Inner.Name})" : feed.Name;

    public Task RunAsync(IEventSink sink, CancellationToken cancellationToken) => inner.RunAsync(sink, cancellationToken);
}
