using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.Tetragon;

internal sealed partial class TetragonGrpcFeed
{
    [LoggerMessage(EventId = 4021, Level = LogLevel.Information, Message = "Feed {Feed}: the loaded signatures changed what they select; the stream is reopened with the new allow list")]
    private static partial void LogReopened(ILogger logger, string feed);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "Feed {Feed}: Tetragon's rate limiter dropped {Dropped} events ({Total} so far); they never reach Sigs")]
    private static partial void LogSensorDropped(ILogger logger, string feed, long dropped, long total);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Warning, Message = "Feed {Feed}: Tetragon throttles cgroup {Cgroup}: its events are dropped by Tetragon until the throttle stops")]
    private static partial void LogThrottleStarted(ILogger logger, string feed, string cgroup);

    [LoggerMessage(EventId = 4024, Level = LogLevel.Information, Message = "Feed {Feed}: Tetragon stopped throttling cgroup {Cgroup}")]
    private static partial void LogThrottleStopped(ILogger logger, string feed, string cgroup);

    [LoggerMessage(EventId = 4025, Level = LogLevel.Warning, Message = "Feed {Feed} lacks {Facts}: {Why}; cannot fire on this feed: {Signatures}")]
    private static partial void LogMissingFacts(ILogger logger, string feed, string facts, string why, string signatures);
}
