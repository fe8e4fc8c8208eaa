using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.Files;

internal sealed partial class FileFeed
{
    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Feed {Feed}: {Message}")]
    private static partial void LogRotation(ILogger logger, string feed, string message);
}
