using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;

namespace Sigs.Host.Feeds;

/// <summary>
/// A feed type: its name, its options record (the schema is generated from it), its <c>--feed</c> short form
/// and its factory, declared in one class in the feed's own folder. <see cref="FeedTypes"/> finds them all.
/// </summary>
internal interface IFeedType : IExtensionType
{
    /// <summary>How <c>--feed</c> names it, for example <c>tracee[:ADDRESS]</c>.</summary>
    string ShortForm { get; }

    /// <summary>The options <c>--feed TYPE[:VALUE]</c> stands for.</summary>
    /// <exception cref="UsageException">The value is missing or wrong.</exception>
    FeedOptions FromShortForm(string? value);

    IEventFeed Create(FeedOptions options, FeedContext context);

    /// <summary>
    /// The facts (<see cref="Plugins.EventFacts"/>) this feed's events will never carry as configured here, and
    /// why; null when it lacks none for certain. <c>sigs list</c> and the feed's log name the signatures that
    /// need one (<see cref="SignatureDemand.RequiredFacts"/>) and so cannot fire on it.
    /// </summary>
    MissingFacts? Missing(FeedOptions options) => null;

    /// <summary>
    /// False when this feed never gives events named <paramref name="eventName"/> (a Sigma rule whose logsource no
    /// configured feed gives is refused); true when it may.
    /// </summary>
    bool Gives(string eventName);
}

/// <summary>What a feed may need from the host when it is created.</summary>
/// <param name="Signatures">What the loaded signatures ask of feeds, read again whenever a feed wants to know (they change on reload).</param>
internal sealed record FeedContext(ILoggerFactory LoggerFactory, ReconnectDelays Delays, Func<WatchPlan> WatchPlan, TimeProvider Clock, Func<IReadOnlyList<SignatureDemand>>? Signatures = null);

/// <summary>What one loaded signature asks of feeds: the events it selects, its file patterns and the facts it cannot fire without.</summary>
internal sealed record SignatureDemand(string Id, IReadOnlyList<Plugins.EventSelector> Selectors, IReadOnlyList<string> FilePatterns, IReadOnlyList<string> RequiredFacts)
{
    /// <summary>True when the signature selects events from <paramref name="source"/>.</summary>
    public bool Selects(string source) => Selectors.Any(s => s.Source == source || s.Source == Plugins.EventSelector.Any);
}

/// <summary>Facts the events of a feed (whose events have source <paramref name="Source"/>) never carry, and the one-line reason.</summary>
internal sealed record MissingFacts(string Source, IReadOnlyList<string> Facts, string Why)
{
    /// <summary>The signatures among <paramref name="signatures"/> that select the feed's source and need a missing fact.</summary>
    public IReadOnlyList<string> CannotFire(IEnumerable<SignatureDemand> signatures) =>
        [.. signatures.Where(s => s.Selects(Source) && s.RequiredFacts.Intersect(Facts, StringComparer.Ordinal).Any()).Select(s => s.Id)];
}

/// <summary>The typed base of a feed type.</summary>
internal abstract class FeedType<TOptions> : IFeedType
    where TOptions : FeedOptions
{
    public abstract string Name { get; }

    public abstract string Summary { get; }

    public abstract string ShortForm { get; }

    public Type OptionsType => typeof(TOptions);

    public string? Problem(object options) => Problem((TOptions)options);

    public FeedOptions FromShortForm(string? value) => Parse(value);

    public IEventFeed Create(FeedOptions options, FeedContext context) => Create((TOptions)options, context.LoggerFactory.CreateLogger(LogCategories.Feed(Name)), context);

    public MissingFacts? Missing(FeedOptions options) => Missing((TOptions)options);

    protected virtual MissingFacts? Missing(TOptions options) => null;

    public virtual bool Gives(string eventName) => true;

    protected virtual string? Problem(TOptions options) => null;

    protected abstract TOptions Parse(string? value);

    protected abstract IEventFeed Create(TOptions options, ILogger logger, FeedContext context);
}
