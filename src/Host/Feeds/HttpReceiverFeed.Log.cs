using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds;

internal abstract partial class HttpReceiverFeed
{
    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Feed {Feed} listening on {Address}")]
    private static partial void LogListening(ILogger logger, string feed, Uri address);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Feed {Feed} answered 415: {Reason} (logged once; every refusal is counted)")]
    private static partial void LogMediaTypeRefused(ILogger logger, string feed, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Feed {Feed} answered {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string feed, int status, string reason);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Warning, Message = "Feed {Feed} closed a connection from {Address} at once: it holds {PerAddress} already ({Refused} refused so far, logged at the 1st, 2nd, 4th...)")]
    private static partial void LogConnectionRefused(ILogger logger, string feed, string address, int perAddress, long refused);
}
