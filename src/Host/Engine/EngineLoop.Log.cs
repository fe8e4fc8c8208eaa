using Microsoft.Extensions.Logging;

namespace Sigs.Host.Engine;

internal sealed partial class EngineLoop
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Signature {Id} has been in one call for over {Milliseconds} ms; a new engine thread continues without it")]
    private static partial void LogTakeover(ILogger logger, string id, double milliseconds);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Drain deadline of {Seconds} s passed with {Remaining} events still queued; they are dropped")]
    private static partial void LogDrainTimedOut(ILogger logger, double seconds, int remaining);
}
