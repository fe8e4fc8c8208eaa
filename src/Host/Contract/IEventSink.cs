using Sigs.Plugins;

namespace Sigs.Host.Contract;

/// <summary>Where feeds hand events to the engine: a bounded queue shared by every feed.</summary>
internal interface IEventSink
{
    /// <summary>Waits for room: for streams that can push back on their sender (files, gRPC flow control).</summary>
    ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Waits for room like <see cref="PublishAsync(SecurityEvent, CancellationToken)"/>; <paramref name="processed"/>
    /// runs once the engine has run the event and handed its findings to the outputs (on the engine thread: it must
    /// not block), so a feed can acknowledge its source only then.
    /// </summary>
    async ValueTask PublishAsync(SecurityEvent securityEvent, Action processed, CancellationToken cancellationToken)
    {
        await PublishAsync(securityEvent, cancellationToken).ConfigureAwait(false);
        processed();
    }

    /// <summary>
    /// Runs an event that was processed before (by an earlier run) only to rebuild the signatures' state: its
    /// findings were reported then and are not reported again.
    /// </summary>
    ValueTask ReplayAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) => PublishAsync(securityEvent, cancellationToken);

    /// <summary>Takes the events only if all fit now; for receivers that answer "busy" instead of waiting.</summary>
    bool TryPublishAll(IReadOnlyList<SecurityEvent> events);
}
