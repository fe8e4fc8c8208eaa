using Microsoft.Extensions.Logging;

namespace Sigs.Host.Hosting;

internal sealed partial class PluginWatchService
{
    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Plugins changed: {Signatures} signatures active (loaded: {Added}; retired: {Retired})")]
    private static partial void LogSwapped(ILogger logger, int signatures, string added, int retired);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Cannot scan the plugin folder {Folder}: {Reason}")]
    private static partial void LogScanFailed(ILogger logger, string folder, string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Rules changed: {Loaded} Sigma rules active ({Refused} refused)")]
    private static partial void LogRulesReloaded(ILogger logger, int loaded, int refused);
}
