using Microsoft.Extensions.Logging;

namespace Sigs.Host.Loading;

internal sealed partial class UnloadVerifier
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Plugin {Plugin} unloaded and collected")]
    private static partial void LogCollected(ILogger logger, string plugin);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Plugin {Plugin} was unloaded but its load context was not collected: something still references it (for example a static event handler); its memory stays in use until Sigs restarts")]
    private static partial void LogLeaked(ILogger logger, string plugin);
}
