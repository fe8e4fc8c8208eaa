using Sigs.Plugins;

namespace Sigs.Signatures.K8sCertTheft;

/// <summary>
/// TRC-1018 k8s_cert_theft, as in Tracee: a read of the control plane's PKI folder by a process outside the
/// allow-list, or a rename out of it.
/// </summary>
public sealed class K8sCertTheftSignature : Signature
{
    private static readonly SignatureMetadata Meta = new()
    {
        Id = "TRC-1018",
        Version = "1",
        Name = "K8s TLS certificate theft detected",
        EventName = "k8s_cert_theft",
        Description = "Theft of Kubernetes TLS certificates was detected. TLS certificates are used to establish trust between systems. " +
            "The Kubernetes certificate is used to enable secured communication between Kubernetes components, such as the kubelet " +
            "scheduler controller and API Server. An adversary may steal a Kubernetes certificate on a compromised system to impersonate " +
            "Kubernetes components within the cluster.",
        Severity = Severity.High,
        Tactics = ["TA0006"],
        Techniques = ["T1528"],
        Tags = ["kubernetes", "credential-access", "tracee"],
        References = ["https://github.com/aquasecurity/tracee/blob/main/signatures/golang/k8s_cert_theft.go"],
        Properties = new Dictionary<string, string>
        {
            ["Category"] = "credential-access",
            ["Technique"] = "Steal Application Access Token",
            ["Kubernetes_Technique"] = "",
            ["id"] = "attack-pattern--890c9858-598c-401d-a4d5-c67ebcdd703a",
            ["external_id"] = "T1528",
        },
    };

    private Settings _settings = new();

    public override SignatureMetadata Metadata => Meta;

    public override IReadOnlyList<EventSelector> Selectors { get; } =
    [
        new(EventNames.FileOpen),
        new(EventNames.FileRename),
    ];

    public override IReadOnlyList<string> FilePatterns => [_settings.PkiPrefix];

    public override string? ConfigSchema => """
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "allowedProcesses": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "Process names (comm, exact) allowed to read the PKI folder." },
            "pkiPrefix": { "type": "string", "pattern": "^/.*/$", "description": "The watched folder, ending in '/'." }
          }
        }
        """;

    protected override void OnInit(SignatureContext context) => _settings = context.GetConfig<Settings>();

    public override void OnEvent(SecurityEvent securityEvent)
    {
        FileEventInfo? file = securityEvent.File;
        if (file is null)
        {
            return;
        }

        if (securityEvent.Name == EventNames.FileOpen)
        {
            if (file.Path is { } path
                && path.StartsWith(_settings.PkiPrefix, StringComparison.Ordinal)
                && file.Flags is int flags && OpenFlags.AllowsRead(flags)
                && Array.IndexOf(_settings.AllowedProcesses, securityEvent.Process?.Name) < 0)
            {
                Context.Report(securityEvent, new Dictionary<string, object?> { ["path"] = path, ["flags"] = flags });
            }
        }
        else if (file.OldPath is { } oldPath && oldPath.StartsWith(_settings.PkiPrefix, StringComparison.Ordinal))
        {
            Context.Report(securityEvent, new Dictionary<string, object?> { ["oldPath"] = oldPath, ["newPath"] = file.NewPath });
        }
    }

    /// <summary>The signature's configuration; defaults are Tracee's.</summary>
    public sealed class Settings
    {
        public string[] AllowedProcesses { get; init; } = ["kube-apiserver", "kubelet", "kube-controller", "etcd"];

        public string PkiPrefix { get; init; } = "/etc/kubernetes/pki/";
    }
}
