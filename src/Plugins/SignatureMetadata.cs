namespace Sigs.Plugins;

/// <summary>What a signature detects and how it is classified.</summary>
public sealed record SignatureMetadata
{
    /// <summary>Unique id, for example <c>TRC-1018</c> or <c>SIGS-1001</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Version of the detection logic.</summary>
    public required string Version { get; init; }

    /// <summary>Human-readable name.</summary>
    public required string Name { get; init; }

    /// <summary>The name of the event a finding represents, for example <c>k8s_cert_theft</c>.</summary>
    public required string EventName { get; init; }

    /// <summary>What the signature detects and why it matters.</summary>
    public required string Description { get; init; }

    /// <summary>How serious a finding is.</summary>
    public required Severity Severity { get; init; }

    /// <summary>A 0-100 risk score, where the source rule has one.</summary>
    public int? RiskScore { get; init; }

    /// <summary>MITRE ATT&amp;CK tactic ids (TA0006, ...), the primary first.</summary>
    public IReadOnlyList<string> Tactics { get; init; } = [];

    /// <summary>MITRE ATT&amp;CK technique ids (T1528, T1552.001, ...), the primary first.</summary>
    public IReadOnlyList<string> Techniques { get; init; } = [];

    /// <summary>Free-form tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Links to the source rule and background.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Further source-specific properties (for example Tracee's category or MITRE attack-pattern id).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}
