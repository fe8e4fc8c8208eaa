using Sigs.Host.Common;
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
