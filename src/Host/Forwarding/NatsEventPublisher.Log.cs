using Microsoft.Extensions.Logging;

namespace Sigs.Host.Forwarding;

internal sealed partial class NatsEventPublisher
{
    [LoggerMessage(EventId = 10001, Level = LogLevel.Warning, Message = "Forward {Forward} cannot deliver ({Reason}); events wait in the spool and are retried with backoff (logged once until it recovers)")]
    private static partial void LogFailing(ILogger logger, string forward, string reason);

    [LoggerMessage(EventId = 10002, Level = LogLevel.Information, Message = "Forward {Forward} recovered: the spool is sent")]
    private static partial void LogRecovered(ILogger logger, string forward);

    [LoggerMessage(EventId = 10003, Level = LogLevel.Error, Message = "Forward {Forward} dropped {Count} events: {Reason} ({Dropped} dropped so far)")]
    private static partial void LogDropped(ILogger logger, string forward, int count, string reason, long dropped);

    [LoggerMessage(EventId = 10004, Level = LogLevel.Information, Message = "Forward {Forward}: {Count} spooled batches from {Folder} are sent first")]
    private static partial void LogRequeued(ILogger logger, string forward, int count, string folder);

    [LoggerMessage(EventId = 10005, Level = LogLevel.Warning, Message = "Forward {Forward} stopped with {Count} batches unsent; {Fate}")]
    private static partial void LogUnsent(ILogger logger, string forward, long count, string fate);
}
