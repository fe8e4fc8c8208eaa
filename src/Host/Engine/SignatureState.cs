namespace Sigs.Host.Engine;

/// <summary>What a runner does with events.</summary>
internal enum SignatureState
{
    /// <summary>Receives every selected event.</summary>
    Active,

    /// <summary>Too slow or stuck: receives events through its own bounded queue and thread; overflow is dropped and counted.</summary>
    Isolated,

    /// <summary>Threw too often; receives nothing until its plugin is reloaded.</summary>
    Quarantined,
}

/// <summary>How the engine reaches a runner, read once per delivery on the hot path.</summary>
internal enum DeliveryMode
{
    /// <summary>Call <see cref="SignatureRunner.DeliverInline"/> on the engine thread.</summary>
    Inline,

    /// <summary>Call <see cref="SignatureRunner.Deliver"/>: it queues the event for the runner's own thread.</summary>
    Queued,

    /// <summary>Call <see cref="SignatureRunner.Deliver"/>: it skips and counts the event.</summary>
    Skipped,
}
