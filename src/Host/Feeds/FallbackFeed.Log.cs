using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds;

internal sealed partial class FallbackFeed
{
    [LoggerMessage(EventId = 4018, Level = LogLevel.Warning, Message = "Feed {Feed} has been down for over {Seconds} s: the {Fallback} feed runs in its place until it is back")]
    private static partial void LogTakingOver(ILogger logger, string feed, double seconds, string fallback);

    [LoggerMessage(EventId = 4019, Level = LogLevel.Information, Message = "Feed {Feed} is back: its fallback has stopped")]
    private static partial void LogBack(ILogger logger, string feed);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Error, Message = "The {Fallback} fallback of feed {Feed} failed: {Reason}")]
    private static partial void LogFallbackFailed(ILogger logger, string fallback, string feed, string reason);
}
