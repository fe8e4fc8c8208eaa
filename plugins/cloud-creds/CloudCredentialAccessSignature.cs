using Sigs.Plugins;

namespace Sigs.Signatures.CloudCreds;

/// <summary>
/// SIGS-1004, after Elastic's "Kubernetes and Cloud Credential Path Access via Process Arguments": a process runs
/// with a Kubernetes, cloud or SSH credential path in its arguments, and the process is a file tool, a
/// scripting runtime, or runs from a writable location. Host or container, interactive or not.
/// </summary>
public sealed class CloudCredentialAccessSignature : Signature
{
    private static readonly SignatureMetadata Meta = new()
    {
        Id = "SIGS-1004",
        Version = "1",
        Name = "Kubernetes and Cloud Credential Path Access via Process Arguments",
        EventName = "cloud_credential_access",
        Description = "A process was started with a Kubernetes, cloud provider or SSH credential file in its arguments by a tool " +
            "commonly used to read, copy, encode or send files, or from a temporary or user-writable location. Attackers collect " +
            "these files to move to the cloud control plane or other hosts.",
        Severity = Severity.High,
        RiskScore = 73,
        Tactics = ["TA0006"],
        Techniques = ["T1552.001"],
        Tags = ["kubernetes", "cloud", "credential-access", "elastic"],
        References =
        [
            "https://github.com/elastic/detection-rules (Kubernetes and Cloud Credential Path Access via Process Arguments)",
            "https://attack.mitre.org/techniques/T1552/001/",
        ],
    };

    private Compiled _compiled = new(new Settings());

    public override SignatureMetadata Metadata => Meta;

    public override IReadOnlyList<EventSelector> Selectors { get; } = [new(EventNames.ProcessExec)];

    /// <summary>The credential path is found in the arguments.</summary>
    public override IReadOnlyList<string> RequiredFacts { get; } = [EventFacts.Args];

    public override string? ConfigSchema => """
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "processNames": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "Process name patterns ('*' matches any run)." },
            "argumentNames": { "type": "array", "items": { "type": "string", "pattern": "^[^*]+$" }, "description": "argv elements that, when equal, mark a file tool (no '*': whole-element equality)." },
            "executablePatterns": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "Executable path patterns of writable locations." },
            "credentialPaths": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "Credential paths or patterns an argv element must equal or match." }
          }
        }
        """;

    protected override void OnInit(SignatureContext context) => _compiled = new Compiled(context.GetConfig<Settings>());

    public override void OnEvent(SecurityEvent securityEvent)
    {
        if (securityEvent.Process is not { Args: { } args } process)
        {
            return;
        }

        if (_compiled.CredentialPaths.FirstMatch(args) is not { } credential || MatchedBy(process, args) is not { } matchedBy)
        {
            return;
        }

        Context.Report(securityEvent, new Dictionary<string, object?> { ["argument"] = credential, ["matchedBy"] = matchedBy });
    }

    /// <summary>Which part of condition 1 holds: the process name, an argv tool name, or the executable's location.</summary>
    private string? MatchedBy(ProcessInfo process, IReadOnlyList<string> args)
    {
        if (process.Name is { } name && _compiled.ProcessNames.IsMatch(name))
        {
            return "processName";
        }

        if (_compiled.ArgumentNames.FirstMatch(args) is not null)
        {
            return "argumentName";
        }

        return process.Executable is { } executable && _compiled.ExecutablePatterns.IsMatch(executable)
            ? "executable"
            : null;
    }

    /// <summary>The settings' lists as pattern sets; argument names are patterns without '*', so they match whole elements.</summary>
    private sealed class Compiled(Settings settings)
    {
        public WildcardPatternSet ProcessNames { get; } = new(settings.ProcessNames);

        public WildcardPatternSet ArgumentNames { get; } = new(settings.ArgumentNames);

        public WildcardPatternSet ExecutablePatterns { get; } = new(settings.ExecutablePatterns);

        public WildcardPatternSet CredentialPaths { get; } = new(settings.CredentialPaths);
    }

    /// <summary>The signature's configuration; defaults are the Elastic rule's.</summary>
    public sealed class Settings
    {
        public string[] ProcessNames { get; init; } =
        [
            "busybox", "cat", "head", "tail", "more", "less", "sed", "awk", "find", "grep", "ls", "whereis", "cp", "mv", "ln",
            "curl", "wget", "scp", "rsync", "tar", "zip", "gzip", "base64", "xxd", "od", "dd", "tee", "strings", "xargs", "jq",
            "yq", "openssl", "ssh", "sftp", "nc", "ncat", "netcat", "socat", "python*", "perl*", "ruby*", "node", "php*", "lua*", ".*",
        ];

        public string[] ArgumentNames { get; init; } =
        [
            "cat", "head", "tail", "more", "less", "sed", "awk", "find", "grep", "cp", "mv", "curl", "wget", "base64", "tar", "scp",
            "dd", "strings", "xargs",
        ];

        public string[] ExecutablePatterns { get; init; } = ["/tmp/*", "/var/tmp/*", "/dev/shm/*", "/home/*", "/run/user/*"];

        public string[] CredentialPaths { get; init; } =
        [
            "/var/run/secrets/kubernetes.io/serviceaccount/token",
            "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
            "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
            "/var/run/secrets/azure/tokens/azure-identity-token",
            "/var/run/secrets/tokens/azure-identity-token",
            "/var/lib/kubelet/kubeconfig",
            "/etc/kubernetes/admin.conf",
            "/etc/kubernetes/pki/ca.key",
            "/etc/kubernetes/pki/apiserver-kubelet-client.key",
            "/var/lib/kubelet/pki/kubelet-client-current.pem",
            "/etc/rancher/k3s/k3s.yaml",
            "/etc/shadow",
            "*/.ssh/id_rsa",
            "*/root/.ssh/id_ed25519",
            "*/.ssh/id_ecdsa",
            "*/.aws/credentials",
            "*/.aws/cli/cache/*.json",
            "*/.aws/sso/cache/*.json",
            "*/.azure/accessTokens.json",
            "*/.azure/azureProfile.json",
            "*/.azure/msal_token_cache.json",
            "*/.config/gcloud/application_default_credentials.json",
            "*/.config/gcloud/credentials.db",
            "*/.config/gcloud/access_tokens.db",
            "*/.config/gcloud/legacy_credentials",
            "*/.kube/config",
            "*/.docker/config.json",
        ];
    }
}
