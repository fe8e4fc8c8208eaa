namespace Sigs.Host.Common;

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
