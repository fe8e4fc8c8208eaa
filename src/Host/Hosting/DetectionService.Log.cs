using Microsoft.Extensions.Logging;

namespace Sigs.Host.Hosting;

internal sealed partial class DetectionService
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Sigs running: {Signatures} signatures, {Feeds} feeds")]
    private static partial void LogStarted(ILogger logger, int signatures, int feeds);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Sigs stopped after draining its queue ({Events} events processed)")]
    private static partial void LogStopped(ILogger logger, long events);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Feed {Feed} reached the end of its input")]
    private static partial void LogFeedEnded(ILogger logger, string feed);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Feed {Feed} failed: {Reason}; it is down and restarts in {Seconds:F1} s")]
    private static partial void LogFeedFailed(ILogger logger, string feed, string reason, double seconds);
}
