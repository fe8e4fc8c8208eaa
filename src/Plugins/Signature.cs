namespace Sigs.Plugins;

/// <summary>
/// A detection. Derive from this class, give it a public parameterless constructor, and build it into a plugin
/// assembly; the host finds it, validates its configuration, and calls <see cref="Init"/> once before any event.
/// </summary>
/// <remarks>
/// The host calls <see cref="OnEvent"/> and <see cref="OnSignal"/> for one signature from one thread at a time,
/// so a signature needs no locking of its own state. An exception thrown from either is counted against the
/// signature and never reaches other signatures.
/// </remarks>
public abstract class Signature : IDisposable
{
    private static readonly IReadOnlyList<string> OneKey = [string.Empty];

    private SignatureContext? _context;

    /// <summary>What the signature detects.</summary>
    public abstract SignatureMetadata Metadata { get; }

    /// <summary>The events the signature receives; any selector that matches delivers the event once.</summary>
    public abstract IReadOnlyList<EventSelector> Selectors { get; }

    /// <summary>
    /// File paths the signature cares about, as prefixes ending in <c>/</c> or patterns where <c>*</c> matches
    /// any run of characters. Feeds that can filter at the source (the native probe) watch only these.
    /// </summary>
    public virtual IReadOnlyList<string> FilePatterns => [];

    /// <summary>
    /// The facts (<see cref="EventFacts"/>) without which the signature never fires, for example
    /// <see cref="EventFacts.Interactive"/>. The host uses them to say, in its log and in <c>sigs list</c>, which
    /// signatures cannot fire on a feed that lacks one; it does not filter events by them.
    /// </summary>
    public virtual IReadOnlyList<string> RequiredFacts => [];

    /// <summary>
    /// A JSON Schema for the signature's configuration, or null when it takes none. The host validates the
    /// configured value against it before <see cref="Init"/> and refuses the signature when it does not validate.
    /// </summary>
    public virtual string? ConfigSchema => null;

    /// <summary>
    /// The keys that relate <paramref name="securityEvent"/> to the other events this signature pairs it with (for
    /// a sequence: the pod, the user, the file); none when the event cannot contribute to a finding. When the host
    /// forwards this signature's events to correlators (<c>forward:</c>), events sharing a key go to the same
    /// correlator (an event with several keys to each of theirs), and events with no key are not sent. The default
    /// puts all selected events under one key. Called on the engine thread, like <see cref="OnEvent"/>; it must not
    /// keep or change state.
    /// </summary>
    /// <remarks>Since Sigs.Plugins 1.1.</remarks>
    public virtual IReadOnlyList<string> CorrelationKeys(SecurityEvent securityEvent) => OneKey;

    /// <summary>The context given to <see cref="Init"/>.</summary>
    /// <exception cref="InvalidOperationException">The signature has not been initialized.</exception>
    protected SignatureContext Context =>
        _context ?? throw new InvalidOperationException($"Signature {GetType().FullName} is used before Init.");

    /// <summary>Attaches the host's context and runs <see cref="OnInit"/>. Called once by the host.</summary>
    public void Init(SignatureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        OnInit(context);
    }

    /// <summary>Reads configuration and prepares state. Throwing here refuses the signature.</summary>
    protected virtual void OnInit(SignatureContext context)
    {
    }

    /// <summary>Examines one selected event; call <see cref="SignatureContext.Report"/> to emit a finding.</summary>
    public abstract void OnEvent(SecurityEvent securityEvent);

    /// <summary>Handles a host signal (time ticks, end of input).</summary>
    public virtual void OnSignal(Signal signal)
    {
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the signature holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
