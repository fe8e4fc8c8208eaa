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
            "allowedProcesses": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "Process names allowed to read the PKI folder: an entry matches the comm or the executable's file name, exactly." },
            "allowedExecutables": { "type": "array", "items": { "type": "string", "pattern": "^/" }, "description": "Full executable paths; when set, only these may read the PKI folder, whatever their comm (allowedProcesses is then not used)." },
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
                && !IsAllowed(securityEvent.Process))
            {
                Context.Report(securityEvent, new Dictionary<string, object?> { ["path"] = path, ["flags"] = flags });
            }
        }
        else if (file.OldPath is { } oldPath && oldPath.StartsWith(_settings.PkiPrefix, StringComparison.Ordinal))
        {
            Context.Report(securityEvent, new Dictionary<string, object?> { ["oldPath"] = oldPath, ["newPath"] = file.NewPath });
        }
    }

    /// <summary>
    /// With <see cref="Settings.AllowedExecutables"/> set, only those exact paths; otherwise a name in
    /// <see cref="Settings.AllowedProcesses"/> equal to the comm (Tracee v0.24's signature) or to the executable's
    /// file name (Tracee's current detector; sensors such as Tetragon report no comm). Both names can be faked by
    /// the process itself; the executable paths cannot, short of writing to them.
    /// </summary>
    private bool IsAllowed(ProcessInfo? process)
    {
        if (_settings.AllowedExecutables is { Length: > 0 } executables)
        {
            return process?.Executable is { } executable && Array.IndexOf(executables, executable) >= 0;
        }

        return process is not null
            && ((process.Name is { } comm && Array.IndexOf(_settings.AllowedProcesses, comm) >= 0)
                || (process.Executable is { } path && Array.IndexOf(_settings.AllowedProcesses, Path.GetFileName(path)) >= 0));
    }

    /// <summary>The signature's configuration; defaults are Tracee's, with the controller manager's file name.</summary>
    public sealed class Settings
    {
        /// <summary>
        /// Tracee's four names, plus <c>kube-controller-manager</c>: Tracee lists its comm (<c>kube-controller</c>,
        /// cut at 15 characters), which an executable's file name never equals.
        /// </summary>
        public string[] AllowedProcesses { get; init; } = ["kube-apiserver", "kubelet", "kube-controller", "kube-controller-manager", "etcd"];

        public string[] AllowedExecutables { get; init; } = [];

        public string PkiPrefix { get; init; } = "/etc/kubernetes/pki/";
    }
}
