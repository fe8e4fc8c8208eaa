using Microsoft.Extensions.Logging;

namespace Sigs.Host.Loading;

internal sealed partial class PluginLoader
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Loaded plugin {File} (sha256 {Sha256}): {Signatures}")]
    private static partial void LogLoaded(ILogger logger, string file, string sha256, string signatures);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Refused plugin {File}: {Reason}")]
    private static partial void LogPluginRefused(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Refused signature {Signature} in {File}: {Reason}")]
    private static partial void LogSignatureRefused(ILogger logger, string signature, string file, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Plugin {File} has no usable signature; unloaded")]
    private static partial void LogNoSignatures(ILogger logger, string file);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Signature {Signature} in {File} does not run: {Why}")]
    private static partial void LogDisabled(ILogger logger, string signature, string file, string why);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Plugin {File}: refused to load {Reason}")]
    private static partial void LogDependencyRefused(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "signatures.{Signature}: no loaded plugin has a signature with this id")]
    private static partial void LogUnknownSignatureSetting(ILogger logger, string signature);
}
