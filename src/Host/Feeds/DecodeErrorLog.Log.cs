using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds;

internal sealed partial class DecodeErrorLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Feed {Feed}: skipped undecodable input #{Count}: {Reason}")]
    private static partial void LogDecodeError(ILogger logger, string feed, long count, string reason);
}
