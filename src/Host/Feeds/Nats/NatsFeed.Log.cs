using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.Nats;

internal sealed partial class NatsFeed
{
    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "Feed {Feed}: consuming partitions {Partitions} of stream {Stream}")]
    private static partial void LogConsuming(ILogger logger, string feed, string partitions, string stream);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "Feed {Feed}: pulling from consumer {Consumer} failed ({Reason}); again in {Seconds:0.#} s")]
    private static partial void LogPullFailed(ILogger logger, string feed, string consumer, string reason, double seconds);
}
