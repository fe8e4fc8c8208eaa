using Sigs.Plugins;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>The two halves of SIGS-1003 for one pod, as contract events.</summary>
internal static class NatsEvents
{
    public const string TokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    public static SecurityEvent TokenRead(string pod, DateTimeOffset time, string node = "node-1") => new()
    {
        Time = time,
        Source = EventSources.Tracee,
        Name = EventNames.FileOpen,
        Origin = EventOrigin.Container,
        HostName = node,
        Process = new ProcessInfo { Pid = 50, HostPid = 6100, Name = "cat", Executable = "/bin/cat", Args = ["cat", TokenPath], Interactive = true, Uid = 0 },
        Container = new ContainerInfo { Id = $"c-{pod}", Name = "web", Image = "shop/web:1" },
        Kubernetes = new KubernetesInfo { PodName = pod, Namespace = "shop" },
        File = new FileEventInfo { Path = TokenPath, Flags = 0 },
    };

    public static SecurityEvent ApiRequest(string pod, DateTimeOffset time, string auditId) => new()
    {
        Time = time,
        Source = EventSources.KubernetesAudit,
        Name = EventNames.KubernetesAudit,
        Origin = EventOrigin.Host,
        Kubernetes = new KubernetesInfo { PodName = pod, Namespace = "shop" },
        Audit = new AuditInfo { Stage = "ResponseComplete", Verb = "list", User = "system:serviceaccount:shop:web", RequestingPods = [pod], RequestUri = "/api/v1/namespaces/shop/secrets", ResponseCode = 200 },
        Arguments = new Dictionary<string, string> { ["auditID"] = auditId },
    };

    /// <summary>The audit webhook's JSON for <see cref="ApiRequest"/>.</summary>
    /// <param name="node">The node the pod's token is bound to (Kubernetes 1.30 and later say it), or null.</param>
    public static string AuditJson(string pod, DateTimeOffset time, string auditId, string? node = null) => $$$"""
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{{auditId}}}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/secrets","verb":"list","user":{"username":"system:serviceaccount:shop:web","groups":["system:serviceaccounts","system:authenticated"],"extra":{"authentication.kubernetes.io/pod-name":["{{{pod}}}"]{{{(node is null ? "" : $",\"authentication.kubernetes.io/node-name\":[\"{node}\"]")}}}}},"sourceIPs":["10.0.0.5"],"responseStatus":{"code":200},"requestReceivedTimestamp":"{{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffffZ}}}","stageTimestamp":"{{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffffZ}}}"}
        """.Trim();
}
