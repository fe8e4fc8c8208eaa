using Sigs.Plugins;
using Sigs.Signatures.Shared;

namespace Sigs.Signatures.SaToken;

/// <summary>
/// SIGS-1002, after Elastic's "Service Account Token or Certificate Read": an interactive process in a container
/// opens the pod's service-account token or CA certificate, or runs a reader with one of them in its arguments.
/// </summary>
public sealed class ServiceAccountTokenReadSignature : ContainerReadSignature
{
    private static readonly SignatureMetadata Meta = new()
    {
        Id = "SIGS-1002",
        Version = "1",
        Name = "Service Account Token or Certificate Read",
        EventName = "k8s_sa_token_read",
        Description = "An interactive process in a container read the pod's Kubernetes service-account token or CA certificate. " +
            "Attackers read them to authenticate to the API server as the pod.",
        Severity = Severity.Medium,
        Tactics = ["TA0006"],
        Techniques = ["T1552.001"],
        Tags = ["kubernetes", "credential-access", "container", "elastic"],
        References =
        [
            "https://github.com/elastic/detection-rules (Service Account Token or Certificate Read)",
            "https://attack.mitre.org/techniques/T1552/001/",
        ],
    };

    private ServiceAccountFiles _files = new(ServiceAccountFiles.DefaultPaths);

    public override SignatureMetadata Metadata => Meta;

    /// <summary>The folders holding the files, so projected-volume forms inside them are seen too.</summary>
    public override IReadOnlyList<string> FilePatterns => _files.Folders;

    public override string? ConfigSchema => """
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "filePaths": { "type": "array", "items": { "type": "string", "pattern": "^/" }, "description": "Token and certificate paths; their ..data/ and ..TIMESTAMP/ forms match too." },
            "argumentPatterns": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "argv elements that fire together with a reader." },
            "readers": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "Reader program names." }
          }
        }
        """;

    protected override void OnInit(SignatureContext context)
    {
        Settings settings = context.GetConfig<Settings>();
        _files = new ServiceAccountFiles(settings.FilePaths);
        ConfigureReaders(settings.Readers, settings.ArgumentPatterns);
    }

    protected override bool IsWatchedFile(string path) => _files.Matches(path);

    /// <summary>The signature's configuration; defaults are the Elastic rule's.</summary>
    public sealed class Settings
    {
        public string[] FilePaths { get; init; } = ServiceAccountFiles.DefaultPaths;

        public string[] ArgumentPatterns { get; init; } = ServiceAccountFiles.DefaultArgumentPatterns;

        public string[] Readers { get; init; } = ContainerReads.DefaultReaders;
    }
}
