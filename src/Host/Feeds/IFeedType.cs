using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds.Native;

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
}

/// <summary>What a feed may need from the host when it is created.</summary>
internal sealed record FeedContext(ILoggerFactory LoggerFactory, ReconnectDelays Delays, Func<WatchPlan> WatchPlan, TimeProvider Clock);

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

    protected virtual string? Problem(TOptions options) => null;

    protected abstract TOptions Parse(string? value);

    protected abstract IEventFeed Create(TOptions options, ILogger logger, FeedContext context);
}
