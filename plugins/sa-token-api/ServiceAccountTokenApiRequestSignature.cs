using Sigs.Plugins;
using Sigs.Signatures.Shared;

namespace Sigs.Signatures.SaTokenApi;

/// <summary>
/// SIGS-1003, after Elastic rule 4bd306f9-ee89-4083-91af-e61ed5c42b9a: an interactive read of the service-account
/// token or CA certificate in a container of pod P, followed within the window (60 s) by a Kubernetes API request
/// whose credentials are bound to P.
/// </summary>
/// <remarks>
/// Where the API server says which node the request's token is bound to (<see cref="AuditInfo.RequestingNodes"/>,
/// Kubernetes 1.30 and later) and the read's node is known (<see cref="KubernetesInfo.NodeName"/>: on a correlator,
/// the node that forwarded it), they must be the same node: a read on one node does not pair with the token of a
/// same-named pod on another, nor with a read a compromised node forged for a pod it does not run.
/// Each pending read pairs with the first matching audit event and is then consumed: one finding per pair.
/// Pending reads are kept in a <see cref="KeyedWindow{TItem}"/> keyed by pod: they expire once the watermark is past
/// their window and are capped in number; the oldest is evicted first, and evictions are counted, logged and shown
/// on /metrics.
/// </remarks>
public sealed class ServiceAccountTokenApiRequestSignature : Signature
{
    private static readonly SignatureMetadata Meta = new()
    {
        Id = "SIGS-1003",
        Version = "1",
        Name = "Service Account Token Read Followed by Kubernetes API Request",
        EventName = "k8s_sa_token_api_request",
        Description = "An interactive process in a container read the pod's service-account token or CA certificate, and within " +
            "60 seconds the API server received a request authenticated as that pod. This is how an attacker with a shell in a " +
            "pod uses its credentials to explore or attack the cluster.",
        Severity = Severity.Medium,
        RiskScore = 47,
        Tactics = ["TA0002", "TA0006", "TA0007", "TA0008"],
        Techniques = ["T1059.004", "T1528", "T1552.001", "T1613", "T1550.001"],
        Tags = ["kubernetes", "credential-access", "sequence", "elastic"],
        References =
        [
            "https://github.com/elastic/detection-rules (rule 4bd306f9-ee89-4083-91af-e61ed5c42b9a)",
            "https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume",
        ],
        Properties = new Dictionary<string, string> { ["elastic_rule_id"] = "4bd306f9-ee89-4083-91af-e61ed5c42b9a" },
    };

    private Settings _settings = new();
    private ServiceAccountFiles _files = new(ServiceAccountFiles.DefaultPaths);
    private KeyedWindow<SecurityEvent> _reads = new(TimeSpan.FromSeconds(60), 10_000);

    public override SignatureMetadata Metadata => Meta;

    public override IReadOnlyList<EventSelector> Selectors { get; } =
    [
        new(EventNames.FileOpen, Origin: EventOrigins.Container),
        new(EventNames.KubernetesAudit),
    ];

    public override IReadOnlyList<string> FilePatterns => _files.Folders;

    /// <summary>Only an interactive read of the token starts a sequence.</summary>
    public override IReadOnlyList<string> RequiredFacts { get; } = [EventFacts.Interactive];

    public override string? ConfigSchema => """
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "filePaths": { "type": "array", "items": { "type": "string", "pattern": "^/" }, "description": "Token and certificate paths; their ..data/ and ..TIMESTAMP/ forms match too." },
            "windowSeconds": { "type": "integer", "minimum": 1, "maximum": 3600, "description": "How long after the read an API request still pairs with it." },
            "maxPending": { "type": "integer", "minimum": 1, "description": "At most this many reads wait for a request; the oldest is evicted first." },
            "stages": { "type": "array", "items": { "type": "string", "enum": ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"] }, "description": "Audit stages that count as a request." }
          }
        }
        """;

    /// <summary>Reads waiting for a request.</summary>
    public int PendingReads => _reads.Count;

    /// <summary>Reads dropped because <see cref="Settings.MaxPending"/> was reached.</summary>
    public long Evictions => _reads.Evictions;

    protected override void OnInit(SignatureContext context)
    {
        _settings = context.GetConfig<Settings>();
        _files = new ServiceAccountFiles(_settings.FilePaths);
        _reads = new KeyedWindow<SecurityEvent>(TimeSpan.FromSeconds(_settings.WindowSeconds), _settings.MaxPending, context: context, name: "pending token reads");
    }

    /// <summary>The pod: a token read and a request pair only when they name the same pod (a request may name several).</summary>
    public override IReadOnlyList<string> CorrelationKeys(SecurityEvent securityEvent) => securityEvent.Name == EventNames.FileOpen
        ? IsTokenRead(securityEvent, out string? pod) ? [pod] : []
        : securityEvent.Audit is { RequestingPods: { Count: > 0 } pods } audit && Array.IndexOf(_settings.Stages, audit.Stage) >= 0 ? pods : [];

    public override void OnEvent(SecurityEvent securityEvent)
    {
        _reads.Advance(securityEvent.Time);
        if (securityEvent.Name == EventNames.FileOpen)
        {
            if (IsTokenRead(securityEvent, out string? pod))
            {
                _reads.Add(pod, securityEvent.Time, securityEvent);
            }
        }
        else if (securityEvent.Audit is { RequestingPods: { Count: > 0 } pods } audit
            && Array.IndexOf(_settings.Stages, audit.Stage) >= 0)
        {
            for (int i = 0; i < pods.Count; i++)
            {
                PairWithReads(securityEvent, pods[i]);
            }
        }
    }

    public override void OnSignal(Signal signal)
    {
        if (signal.Kind == SignalKind.EndOfInput)
        {
            _reads.Clear();
            return;
        }

        _reads.Advance(signal.Time);
    }

    private bool IsTokenRead(SecurityEvent open, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? pod)
    {
        pod = open.Kubernetes?.PodName;
        return ContainerReads.IsInteractiveInContainer(open) && pod is { Length: > 0 } && _files.Matches(open.File?.Path);
    }

    /// <summary>Each read of the pod's token within the window before the request pairs with it once, and is consumed.</summary>
    private void PairWithReads(SecurityEvent request, string pod)
    {
        while (_reads.TryTake(pod, read => request.Time >= read.Time && request.Time - read.Time <= _reads.Window && SameNode(request, read.Item), out WindowItem<SecurityEvent> read))
        {
            Context.Report(request, new Dictionary<string, object?>
            {
                ["pod"] = pod,
                ["secondsAfterRead"] = (request.Time - read.Time).TotalSeconds,
                ["tokenRead"] = read.Item,
            });
        }
    }

    /// <summary>False only when both the request's token binding and the read name a node, and not the same one.</summary>
    private static bool SameNode(SecurityEvent request, SecurityEvent read) =>
        request.Audit?.RequestingNodes is not { Count: > 0 } nodes || read.Kubernetes?.NodeName is not { } node || nodes.Contains(node);

    /// <summary>The signature's configuration; defaults are the Elastic rule's.</summary>
    public sealed class Settings
    {
        public string[] FilePaths { get; init; } = ServiceAccountFiles.DefaultPaths;

        public int WindowSeconds { get; init; } = 60;

        public int MaxPending { get; init; } = 10_000;

        public string[] Stages { get; init; } = ["ResponseComplete", "ResponseStarted"];
    }
}
