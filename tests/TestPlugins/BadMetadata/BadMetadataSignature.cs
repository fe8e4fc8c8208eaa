using Sigs.Plugins;

namespace Sigs.TestPlugins;

/// <summary>Loads, but its metadata is incomplete and its MITRE ids are malformed: <c>sigs check</c> must say so.</summary>
public sealed class BadMetadataSignature : Signature
{
    public override SignatureMetadata Metadata { get; } = new()
    {
        Id = "bad id!",
        Version = "1",
        Name = "Badly described",
        EventName = "bad",
        Description = " ",
        Severity = (Severity)9,
        Tactics = ["credential-access"],
        Techniques = ["T15", "T1552.001"],
    };

    public override IReadOnlyList<EventSelector> Selectors { get; } = [new(EventNames.FileOpen)];

    public override void OnEvent(SecurityEvent securityEvent)
    {
    }
}
