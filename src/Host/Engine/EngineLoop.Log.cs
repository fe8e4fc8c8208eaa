using Microsoft.Extensions.Logging;

namespace Sigs.Host.Engine;

internal sealed partial class EngineLoop
{
    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Drain deadline of {Seconds} s passed with {Remaining} events still queued; they are dropped")]
    private static partial void LogDrainTimedOut(ILogger logger, double seconds, int remaining);
}
