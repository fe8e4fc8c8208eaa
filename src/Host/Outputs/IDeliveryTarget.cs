using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>Where a <see cref="DeliveringOutput"/> sends findings: the message form and one send.</summary>
internal interface IDeliveryTarget : IDisposable
{
    /// <summary>A name for logs and metrics, for example <c>http:https://sidekick:2801/</c>.</summary>
    string Name { get; }

    /// <summary>The message for one finding, as it is spooled and sent; <paramref name="json"/> is its Sigs JSON.</summary>
    byte[] Message(Finding finding, ReadOnlyMemory<byte> json);

    /// <summary>Sends one message once; never throws for a delivery problem (it returns it).</summary>
    Task<DeliveryResult> SendAsync(byte[] message, CancellationToken cancellationToken);
}

/// <summary>How one send went: delivered, refused for good (dropped), or failed for now (retried).</summary>
internal readonly record struct DeliveryResult(DeliveryStatus Status, string? Reason = null)
{
    public static DeliveryResult Delivered { get; } = new(DeliveryStatus.Delivered);

    public static DeliveryResult Refused(string reason) => new(DeliveryStatus.Refused, reason);

    public static DeliveryResult Failed(string reason) => new(DeliveryStatus.Failed, reason);
}

internal enum DeliveryStatus
{
    Delivered,
    Refused,
    Failed,
}
