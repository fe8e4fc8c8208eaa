using Microsoft.Extensions.Logging;

namespace Sigs.Host.Loading;

internal sealed partial class PluginManager
{
    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Not scanning plugins: {Problem}; the loaded plugins stay (logged once until it changes)")]
    private static partial void LogFolderProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Plugin folder {Folder} can be scanned again")]
    private static partial void LogFolderUsable(ILogger logger, string folder);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Plugin {File} was removed; unloading it")]
    private static partial void LogRemoved(ILogger logger, string file);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Rule {Id} ({File}) is not run: a plugin's signature has that id ({Plugin}); give the rule another id")]
    private static partial void LogShadowedRule(ILogger logger, string id, string file, string plugin);
}
