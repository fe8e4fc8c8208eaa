namespace Sigs.Host.Common;

/// <summary>What a <see cref="Delivery{T}"/> needs of its messages: how one is spooled and read back, and how many items (findings, events) it holds.</summary>
internal interface IDeliveryForm<T>
{
    byte[] ToSpool(T message);

    /// <summary>A spooled message; throws <see cref="InvalidDataException"/> when the bytes are not one.</summary>
    T FromSpool(byte[] spooled);

    int Items(T message);
}

/// <summary>When a <see cref="Delivery{T}"/> writes a message to its spool.</summary>
internal enum SpoolWhen
{
    /// <summary>Every message, before it is queued: it survives a crash (findings).</summary>
    Always,

    /// <summary>
    /// Only a message whose send failed, and every one after it until the spool is sent: no disk write while the
    /// target keeps up (forwarded events, many batches a second).
    /// </summary>
    Behind,
}

/// <summary>How logs name a delivery: its role (<c>Output</c>, <c>Forward</c>), its name, and what its items are (<c>findings</c>, <c>events</c>).</summary>
internal sealed record DeliveryNames(string Role, string Name, string Items);
