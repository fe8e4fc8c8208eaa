using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds;

internal sealed partial class ReconnectLoop
{
    [LoggerMessage(EventId = 4015, Level = LogLevel.Information, Message = "Feed {Feed} connected")]
    private static partial void LogConnected(ILogger logger, string feed);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Information, Message = "Feed {Feed} reconnected after {Attempts} failed attempts")]
    private static partial void LogReconnected(ILogger logger, string feed, int attempts);

    [LoggerMessage(EventId = 4017, Level = LogLevel.Warning, Message = "Feed {Feed} is down: {Reason}; retrying with backoff (logged once until it is back)")]
    private static partial void LogLost(ILogger logger, string feed, string reason);
}
