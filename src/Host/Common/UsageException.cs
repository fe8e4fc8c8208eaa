namespace Sigs.Host.Common;

/// <summary>A command line that cannot be run; the message says what to fix.</summary>
internal sealed class UsageException(string message) : Exception(message);
