namespace Sigs.Host.Loading;

/// <summary>A plugin that cannot be loaded; the message says why, for its one log line.</summary>
internal sealed class PluginRefusedException(string message) : InvalidOperationException(message);
