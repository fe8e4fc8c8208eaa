using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.Nats;

internal sealed partial class NatsFeed
{
    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "Feed {Feed}: consuming partitions {Partitions} of stream {Stream} ({Replayed} processed events replayed first to rebuild state)")]
    private static partial void LogConsuming(ILogger logger, string feed, string partitions, string stream, long replayed);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "Feed {Feed}: pulling from consumer {Consumer} failed ({Reason}); again in {Seconds:0.#} s")]
    private static partial void LogPullFailed(ILogger logger, string feed, string consumer, string reason, double seconds);
}
