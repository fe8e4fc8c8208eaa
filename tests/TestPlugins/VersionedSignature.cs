using Sigs.Plugins;

namespace Sigs.TestPlugins;

/// <summary>Built twice (VersionedV1, VersionedV2); each build reports its own version in its findings.</summary>
public sealed class VersionedSignature() : TestSignature("TEST-VERSIONED")
{
#if VERSION1
    public const string BuildVersion = "1";
#else
    public const string BuildVersion = "2";
#endif

    public override SignatureMetadata Metadata { get; } = new()
    {
        Id = "TEST-VERSIONED",
        Version = BuildVersion,
        Name = "Versioned test signature",
        EventName = "test",
        Description = "Replaced in place by the hot-reload tests.",
        Severity = Severity.Info,
    };
}
