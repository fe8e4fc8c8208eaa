using Sigs.Plugins;

namespace Sigs.Host.Contract;

/// <summary>Where feeds hand events to the engine: a bounded queue shared by every feed.</summary>
internal interface IEventSink
{
    /// <summary>Waits for room: for streams that can push back on their sender (files, gRPC flow control).</summary>
    ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken);

    /// <summary>Takes the events only if all fit now; for receivers that answer "busy" instead of waiting.</summary>
    bool TryPublishAll(IReadOnlyList<SecurityEvent> events);
}
