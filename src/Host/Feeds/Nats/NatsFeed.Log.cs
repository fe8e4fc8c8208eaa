using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.Nats;

internal sealed partial class NatsFeed
{
    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "Feed {Feed}: consuming partitions {Partitions} of stream {Stream} ({Replayed} processed events replayed first to rebuild state)")]
    private static partial void LogConsuming(ILogger logger, string feed, string partitions, string stream, long replayed);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "Feed {Feed}: pulling from consumer {Consumer} failed ({Reason}); again in {Seconds:0.#} s")]
    private static partial void LogPullFailed(ILogger logger, string feed, string consumer, string reason, double seconds);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Warning, Message = "Feed {Feed}: refused from sender {Sender}: {What}; counted in sigs_nats_refused_total{{reason=\"{Reason}\"}} (logged once per sender and reason)")]
    private static partial void LogRefused(ILogger logger, string feed, string sender, string what, string reason);
}
