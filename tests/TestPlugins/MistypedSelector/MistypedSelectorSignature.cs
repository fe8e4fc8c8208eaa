using Sigs.Plugins;

namespace Sigs.TestPlugins;

/// <summary>Builds, but its selectors are mistyped: it would never run, so the loader and <c>sigs check</c> refuse it.</summary>
public sealed class MistypedSelectorSignature : Signature
{
    public override SignatureMetadata Metadata { get; } = new()
    {
        Id = "TEST-MISTYPED",
        Version = "1",
        Name = "Mistyped selectors",
        EventName = "mistyped",
        Description = "Selects an event name, an origin and a source that do not exist.",
        Severity = Severity.Low,
    };

    public override IReadOnlyList<EventSelector> Selectors { get; } =
    [
        new("security_file_opne"),
        new(EventNames.FileOpen, Origin: "contaner"),
        new(EventNames.ProcessExec, Source: "tracy"),
        new("ptrace", Source: EventSources.Tracee),
    ];

    public override void OnEvent(SecurityEvent securityEvent)
    {
    }
}
