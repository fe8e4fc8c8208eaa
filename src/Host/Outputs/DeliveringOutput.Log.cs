using Microsoft.Extensions.Logging;

namespace Sigs.Host.Outputs;

internal sealed partial class DeliveringOutput
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Output {Output} is failing ({Reason}); retrying with backoff (logged once until it recovers)")]
    private static partial void LogFailing(ILogger logger, string output, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Output {Output} recovered")]
    private static partial void LogRecovered(ILogger logger, string output);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "Output {Output} dropped a {Signature} finding: {Reason} ({Dropped} dropped so far)")]
    private static partial void LogDropped(ILogger logger, string output, string signature, string reason, long dropped);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Output {Output}: {Count} findings from {Folder} queued again")]
    private static partial void LogRequeued(ILogger logger, string output, int count, string folder);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Output {Output} stopped with {Count} findings undelivered; {Fate}")]
    private static partial void LogUndelivered(ILogger logger, string output, int count, string fate);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Output {Output}: {Problem}; findings wait in memory while the queue has room (logged once until it changes)")]
    private static partial void LogSpoolFailing(ILogger logger, string output, string problem);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Output {Output}: its spool works again")]
    private static partial void LogSpoolRecovered(ILogger logger, string output);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Output {Output}: removed {Count} temporary files an interrupted write left in {Folder}")]
    private static partial void LogLeftoversRemoved(ILogger logger, string output, int count, string folder);
}
