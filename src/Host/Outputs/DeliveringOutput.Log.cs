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
}
