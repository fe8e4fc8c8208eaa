namespace Sigs.Plugins;

/// <summary>A notice from the host that is not an event.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Time">
/// The stream's time, an event-time watermark (SDK 1.4): the latest event time seen (on a correlator, less its
/// lateness bound), moved by the wall clock only while no events arrive, by the time that passed. Never earlier
/// than a previous signal's. A window that closes on it closes the same way in replay, in a live run, on a followed
/// file and after a backlog drains.
/// </param>
public sealed record Signal(SignalKind Kind, DateTimeOffset Time);

/// <summary>Kinds of <see cref="Signal"/>.</summary>
public enum SignalKind
{
    /// <summary>Time has passed; sequence signatures expire state older than their window.</summary>
    Tick,

    /// <summary>The input has ended (replay finished or the host is stopping); no more events follow.</summary>
    EndOfInput,
}
