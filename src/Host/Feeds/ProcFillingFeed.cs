using Sigs.Host.Contract;
using Sigs.Host.Enrichment;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>
/// A feed whose events get the process facts they lack from /proc (<see cref="ProcFactFiller"/>) before they
/// reach the engine: for sensors that do not always send them, such as Falco alerts without <c>proc.tty</c>.
/// </summary>
internal sealed partial class ProcFillingFeed(IEventFeed inner, ProcFactFiller filler) : IEventFeed
{
    /// <summary><paramref name="feed"/> with filling when <paramref name="enabled"/> and /proc can; says once why not when it cannot.</summary>
    public static IEventFeed Maybe(IEventFeed feed, bool enabled, Microsoft.Extensions.Logging.ILogger logger)
    {
        if (!enabled)
        {
            return feed;
        }

        if (ProcFactFiller.WhyNot() is { } why)
        {
            LogCannotFill(logger, feed.Name, why);
            return feed;
        }

        return new ProcFillingFeed(feed, new ProcFactFiller());
    }

    public string Name => inner.Name;

    public FeedCounters Counters => inner.Counters;

    public IReadOnlyList<(string Feed, FeedCounters Counters)> CounterSets => inner.CounterSets;

    public Task RunAsync(IEventSink sink, CancellationToken cancellationToken) => inner.RunAsync(new FillingSink(sink, filler, inner.Counters), cancellationToken);

    private sealed class FillingSink(IEventSink sink, ProcFactFiller filler, FeedCounters counters) : IEventSink
    {
        public ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) => sink.PublishAsync(Fill(securityEvent), cancellationToken);

        public ValueTask PublishAsync(SecurityEvent securityEvent, Action processed, CancellationToken cancellationToken) => sink.PublishAsync(Fill(securityEvent), processed, cancellationToken);

        public ValueTask ReplayAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) => sink.ReplayAsync(securityEvent, cancellationToken);

        public bool TryPublishAll(IReadOnlyList<SecurityEvent> events) => sink.TryPublishAll([.. events.Select(Fill)]);

        private SecurityEvent Fill(SecurityEvent securityEvent) => filler.FillCounted(securityEvent, processStart: null, counters);
    }
}

/// <summary>Filling for a feed: the feed's lookup counts are kept current.</summary>
internal static class ProcFactFilling
{
    /// <summary>An event lacking nothing passes untouched; else it is filled and the feed's counts updated.</summary>
    public static SecurityEvent FillCounted(this ProcFactFiller filler, SecurityEvent securityEvent, DateTimeOffset? processStart, FeedCounters counters)
    {
        if (!ProcFactFiller.Lacks(securityEvent))
        {
            return securityEvent;
        }

        SecurityEvent filled = filler.Fill(securityEvent, processStart);
        counters.SetGauge(FeedGauge.ProcFactsFilled, filler.Filled);
        counters.SetGauge(FeedGauge.ProcFactsUnknown, filler.Unknown);
        return filled;
    }
}
