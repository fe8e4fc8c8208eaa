namespace Sigs.Host.Feeds;

/// <summary>An input that is well-formed JSON but cannot be mapped to the contract; the message says why.</summary>
internal sealed class EventDecodeException(string message) : Exception(message);
