using Sigs.Plugins;
using Sigs.Signatures.Shared;

namespace Sigs.Signatures.KubeletPki;

/// <summary>
/// SIGS-1001, after Elastic rule 42de0740-8ed8-4b8b-995c-635b56a8bbf4 "Kubelet Certificate File Access": an
/// interactive process in a container opens a file under the kubelet's PKI folder, or runs a reader with one in
/// its arguments.
/// </summary>
public sealed class KubeletPkiReadSignature : ContainerReadSignature
{
    private static readonly SignatureMetadata Meta = new()
    {
        Id = "SIGS-1001",
        Version = "1",
        Name = "Kubelet Certificate File Access",
        EventName = "kubelet_pki_read",
        Description = "An interactive process in a container accessed the kubelet's certificate folder (/var/lib/kubelet/pki). " +
            "Its client certificate authenticates the node to the API server; reading it from a container suggests an attacker " +
            "discovering or stealing node credentials after a container escape or through a host mount.",
        Severity = Severity.Low,
        RiskScore = 21,
        Tactics = ["TA0007"],
        Techniques = ["T1613"],
        Tags = ["kubernetes", "discovery", "container", "elastic"],
        References =
        [
            "https://github.com/elastic/detection-rules (rule 42de0740-8ed8-4b8b-995c-635b56a8bbf4)",
            "https://attack.mitre.org/techniques/T1613/",
        ],
        Properties = new Dictionary<string, string> { ["elastic_rule_id"] = "42de0740-8ed8-4b8b-995c-635b56a8bbf4" },
    };

    private WildcardPatternSet _filePatterns = new([]);
    private string[] _filePatternTexts = [];

    public override SignatureMetadata Metadata => Meta;

    public override IReadOnlyList<string> FilePatterns => _filePatternTexts;

    public override string? ConfigSchema => """
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "filePatterns": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "Opened paths that fire ('*' matches any run)." },
            "argumentPatterns": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "argv elements that fire together with a reader." },
            "readers": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "Reader program names." }
          }
        }
        """;

    protected override void OnInit(SignatureContext context)
    {
        Settings settings = context.GetConfig<Settings>();
        _filePatternTexts = settings.FilePatterns;
        _filePatterns = new WildcardPatternSet(settings.FilePatterns);
        ConfigureReaders(settings.Readers, settings.ArgumentPatterns);
    }

    protected override bool IsWatchedFile(string path) => _filePatterns.IsMatch(path);

    /// <summary>The signature's configuration; defaults are the Elastic rule's.</summary>
    public sealed class Settings
    {
        public string[] FilePatterns { get; init; } = ["/var/lib/kubelet/pki/*"];

        public string[] ArgumentPatterns { get; init; } = ["*/var/lib/kubelet/pki/*"];

        public string[] Readers { get; init; } = ContainerReads.DefaultReaders;
    }
}
