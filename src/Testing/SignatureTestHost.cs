using Sigs.Host.TestKit;

namespace Sigs.Plugins.Testing;

/// <summary>A finding a signature reported under test.</summary>
/// <param name="Signature">The reporting signature's metadata.</param>
/// <param name="Event">The triggering event.</param>
/// <param name="Data">The signature-specific details.</param>
public sealed record TestFinding(SignatureMetadata Signature, SecurityEvent Event, IReadOnlyDictionary<string, object?> Data);

/// <summary>The configuration given to a signature does not match its schema; the message lists each problem.</summary>
public sealed class SignatureConfigException(string message) : Exception(message);

/// <summary>
/// Runs one signature with the host's own code: the configuration is validated against the signature's JSON
/// Schema before <see cref="Signature.Init"/>, events reach it only through its selectors, file events get process
/// facts from earlier exec events of the same process, and exceptions are contained and counted.
/// </summary>
/// <typeparam name="TSignature">The signature under test.</typeparam>
public sealed class SignatureTestHost<TSignature> : IDisposable
    where TSignature : Signature, new()
{
    private readonly List<TestFinding> _findings = [];
    private readonly SignatureHarness _harness;

    /// <summary>Creates the signature, checks its selectors and validates <paramref name="configJson"/> against its schema as the host's loader does, and initializes it.</summary>
    /// <exception cref="SignatureConfigException">The configuration does not match the signature's schema, or a selector would select nothing.</exception>
    public SignatureTestHost(string configJson = "{}", TimeProvider? clock = null)
    {
        Signature = new TSignature();
        try
        {
            _harness = new SignatureHarness(Signature, configJson, clock ?? TimeProvider.System, (metadata, trigger, data) => _findings.Add(new TestFinding(metadata, trigger, data)));
        }
        catch (ArgumentException ex) when (ex.ParamName == "configJson")
        {
            throw new SignatureConfigException(ex.InnerException?.Message ?? ex.Message); // the loader's reason, without ArgumentException's parameter suffix
        }
    }

    /// <summary>The signature instance under test.</summary>
    public TSignature Signature { get; }

    /// <summary>Findings so far, in the order they were reported.</summary>
    public IReadOnlyList<TestFinding> Findings => _findings;

    /// <summary>Exceptions the signature threw (the host contains them the same way).</summary>
    public long Faults => _harness.Faults;

    /// <summary>Events the signature received (after selector filtering).</summary>
    public long EventsReceived => _harness.EventsDelivered;

    /// <summary>Runs events through the signature, in order.</summary>
    public SignatureTestHost<TSignature> Run(params SecurityEvent[] events) => Run((IEnumerable<SecurityEvent>)events);

    /// <summary>Runs events through the signature, in order.</summary>
    public SignatureTestHost<TSignature> Run(IEnumerable<SecurityEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (SecurityEvent securityEvent in events)
        {
            _harness.Process(securityEvent);
        }

        _harness.Flush(); // findings leave through the host's writer thread: wait for them
        return this;
    }

    /// <summary>Sends a signal, as the host does once a second (<see cref="SignalKind.Tick"/>) and at the end.</summary>
    public SignatureTestHost<TSignature> Signal(SignalKind kind, DateTimeOffset time)
    {
        _harness.Signal(new Signal(kind, time));
        _harness.Flush();
        return this;
    }

    /// <summary>Signals the end of input, as the host does after a replay or on stop.</summary>
    public SignatureTestHost<TSignature> EndOfInput() => Signal(SignalKind.EndOfInput, TestEvents.BaseTime);

    /// <inheritdoc/>
    public void Dispose()
    {
        _harness.Dispose();
        Signature.Dispose();
    }
}
