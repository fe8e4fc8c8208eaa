using Microsoft.Extensions.Logging;

namespace Sigs.Host.Engine;

internal sealed partial class EngineWatchdog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Signature {Id} has been in one call for over {Milliseconds} ms; a new engine thread continues without it")]
    private static partial void LogTakeover(ILogger logger, string id, double milliseconds);
}
