using Sigs.Plugins;

namespace Sigs.TestPlugins;

/// <summary>A minimal signature for loader tests: selects one event name and reports every event it gets.</summary>
public abstract class TestSignature(string id, string eventName = EventNames.ProcessExec) : Signature
{
    public override SignatureMetadata Metadata { get; } = new()
    {
        Id = id,
        Version = "1",
        Name = $"Test signature {id}",
        EventName = "test",
        Description = "Used by the host's loader tests.",
        Severity = Severity.Info,
    };

    public override IReadOnlyList<EventSelector> Selectors { get; } = [new(eventName)];

    public override void OnEvent(SecurityEvent securityEvent) => Context.Report(securityEvent, Details());

    protected virtual IReadOnlyDictionary<string, object?>? Details() => null;
}
