using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Native;

namespace Sigs.Host.Pipeline;

/// <summary>Builds feeds from their options through their type, and parses the command line's <c>--feed TYPE[:VALUE]</c>.</summary>
internal static class FeedFactory
{
    public static IEventFeed Create(FeedOptions options, FeedContext context)
    {
        IEventFeed created = FeedTypes.Of(options).Create(options, context);
        if (options is not SensorFeedOptions { Fallback: not null } sensor)
        {
            return created;
        }

        NativeFeed.CheckCanRun(); // fail at start, not when the sensor first goes down
        TimeSpan grace = sensor.FallbackGraceSeconds is double seconds ? TimeSpan.FromSeconds(seconds) : FallbackFeed.DefaultGrace;
        ILogger nativeLogger = context.LoggerFactory.CreateLogger(LogCategories.Feed(NativeFeedType.TypeName));
        return new FallbackFeed(
            created,
            counters => new NativeFeed(nativeLogger, context.WatchPlan, counters: counters, clock: context.Clock),
            grace,
            context.LoggerFactory.CreateLogger(LogCategories.Feed("fallback")),
            clock: context.Clock);
    }

    /// <summary><c>TYPE</c> or <c>TYPE:VALUE</c>; what the value is (an address, a listen URL, a path) is the type's.</summary>
    public static FeedOptions Parse(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? text : text[..colon];
        string? value = colon < 0 || colon == text.Length - 1 ? null : text[(colon + 1)..];
        IFeedType type = FeedTypes.All.FirstOrDefault(t => t.Name == name)
            ?? throw new UsageException($"--feed '{text}': type must be one of {string.Join(", ", FeedTypes.All.Select(t => t.Name))}");
        FeedOptions options = type.FromShortForm(value);
        return type.Problem(options) is { } problem ? throw new UsageException($"--feed '{text}': {problem} (in a config file)") : options;
    }
}
