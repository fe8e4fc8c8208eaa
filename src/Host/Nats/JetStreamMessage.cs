namespace Sigs.Host.Nats;

/// <summary>
/// One message for <see cref="JetStreamBatchPublisher"/>: its subject, its message id (the stream's duplicate window
/// drops a copy sent again with the same id), its body, and how many items (events, findings) the body carries, so
/// what was stored is counted in items.
/// </summary>
internal sealed record JetStreamMessage(string Subject, string Id, byte[] Body, int Count = 1);
