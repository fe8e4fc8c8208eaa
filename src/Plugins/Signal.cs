namespace Sigs.Plugins;

/// <summary>A notice from the host that is not an event.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Time">The host's current time for the stream: the latest event time during replay, the clock otherwise.</param>
public sealed record Signal(SignalKind Kind, DateTimeOffset Time);

/// <summary>Kinds of <see cref="Signal"/>.</summary>
public enum SignalKind
{
    /// <summary>Time has passed; sequence signatures expire state older than their window.</summary>
    Tick,

    /// <summary>The input has ended (replay finished or the host is stopping); no more events follow.</summary>
    EndOfInput,
}
