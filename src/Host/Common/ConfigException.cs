namespace Sigs.Host.Common;

/// <summary>A configuration problem; the message names the file and the key path.</summary>
internal sealed class ConfigException(string message) : Exception(message);
