using Sigs.Host.Feeds.Files;
using Sigs.Host.Feeds;
using Sigs.Plugins;
using static Sigs.Host.Tests.Feeds.DecodeHelper;

namespace Sigs.Host.Tests.Feeds;

public class AuditEventDecoderTests
{
    private const string Event = """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-1","stage":"ResponseComplete",
         "requestURI":"/api/v1/namespaces/shop/secrets","verb":"list",
         "user":{"username":"system:serviceaccount:shop:web","extra":{"authentication.kubernetes.io/pod-name":["web-7d4b9"],"authentication.kubernetes.io/pod-uid":["u-1"],"authentication.kubernetes.io/node-name":["kind-worker"],"authentication.kubernetes.io/node-uid":["n-1"],"authentication.kubernetes.io/credential-id":["JTI=abc"]}},
         "responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2025-11-02T10:00:44.000000Z","stageTimestamp":"2025-11-02T10:00:44.010000Z"}
        """;

    [Fact]
    public void Decode_AuditEvent_MapsAuditAndRequestingPod()
    {
        SecurityEvent e = Single(Event, InputFormat.KubernetesAudit);

        Assert.Equal(EventNames.KubernetesAudit, e.Name);
        Assert.Equal(EventSources.KubernetesAudit, e.Source);
        Assert.Equal(new DateTimeOffset(2025, 11, 2, 10, 0, 44, TimeSpan.Zero), e.Time);
        Assert.Equal("ResponseComplete", e.Audit!.Stage);
        Assert.Equal("list", e.Audit.Verb);
        Assert.Equal("system:serviceaccount:shop:web", e.Audit.User);
        Assert.Equal(["web-7d4b9"], e.Audit.RequestingPods);
        Assert.Equal(["kind-worker"], e.Audit.RequestingNodes);
        Assert.Equal("/api/v1/namespaces/shop/secrets", e.Audit.RequestUri);
        Assert.Equal(200, e.Audit.ResponseCode);
        Assert.Equal(new KubernetesInfo { PodName = "web-7d4b9", Namespace = "shop", PodUid = "u-1" }, e.Kubernetes);
        Assert.Equal("id-1", e.Arguments["auditID"]);
    }

    /// <summary>A pod created by kubectl, logged at level RequestResponse as the API server writes it (fields trimmed).</summary>
    private const string PodCreate = """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"id-9","stage":"ResponseComplete",
         "requestURI":"/api/v1/namespaces/shop/pods?fieldManager=kubectl-run","verb":"create",
         "user":{"username":"kubernetes-admin","groups":["kubeadm:cluster-admins","system:authenticated"],"extra":{"authentication.kubernetes.io/credential-id":["X509SHA256=ab12"]}},
         "sourceIPs":["172.18.0.1"],"userAgent":"kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc",
         "objectRef":{"resource":"pods","namespace":"shop","name":"debug","apiVersion":"v1"},
         "responseStatus":{"metadata":{},"code":201},
         "requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"debug"},"spec":{"volumes":[{"name":"host","hostPath":{"path":"/","type":""}}],
           "containers":[{"name":"debug","image":"busybox","securityContext":{"privileged":true,"capabilities":{"add":["SYS_ADMIN"]}}}]}},
         "requestReceivedTimestamp":"2025-11-02T10:01:00.000000Z","stageTimestamp":"2025-11-02T10:01:00.020000Z"}
        """;

    [Fact]
    public void Decode_RequestResponseEvent_MapsObjectUserAndRequestObject()
    {
        SecurityEvent e = Single(PodCreate, InputFormat.KubernetesAudit);

        Assert.Equal(new AuditObjectReference { Resource = "pods", Namespace = "shop", Name = "debug", ApiVersion = "v1" }, e.Audit!.ObjectRef);
        Assert.Equal(["kubeadm:cluster-admins", "system:authenticated"], e.Audit.UserGroups);
        Assert.Equal(["X509SHA256=ab12"], e.Audit.UserExtra!["authentication.kubernetes.io/credential-id"]);
        Assert.Equal(["172.18.0.1"], e.Audit.SourceIps);
        Assert.Equal("kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc", e.Audit.UserAgent);
        Assert.True(e.Audit.RequestObject!.Value.GetProperty("spec").GetProperty("containers")[0].GetProperty("securityContext").GetProperty("privileged").GetBoolean());
        Assert.Null(Single(Event, InputFormat.KubernetesAudit).Audit!.RequestObject); // level Metadata logs no body
        Assert.Equal("""{"resource":"pods","namespace":"shop","name":"debug","apiVersion":"v1"}""", e.Arguments["objectRef"]); // as before SDK 1.5
    }

    [Fact]
    public void Decode_ASecretsBodyOrAHugeBody_IsNotKept()
    {
        string secret = PodCreate.Replace("\"resource\":\"pods\"", "\"resource\":\"secrets\"", StringComparison.Ordinal);
        string huge = PodCreate.Replace("\"name\":\"debug\"}", $"\"name\":\"debug\",\"annotations\":{{\"a\":\"{new string('x', Sigs.Host.Feeds.KubernetesAudit.AuditEventDecoder.MaxRequestObjectBytes)}\"}}}}", StringComparison.Ordinal);

        SecurityEvent secretCreated = Single(secret, InputFormat.KubernetesAudit);
        SecurityEvent hugeCreated = Single(huge, InputFormat.KubernetesAudit);

        Assert.Equal("secrets", secretCreated.Audit!.ObjectRef!.Resource);
        Assert.Null(secretCreated.Audit.RequestObject); // a Secret's data never leaves the decoder
        Assert.Null(hugeCreated.Audit!.RequestObject);
        Assert.StartsWith("left out: ", hugeCreated.Arguments["requestObject"], StringComparison.Ordinal);
        Assert.Equal("create", hugeCreated.Audit.Verb); // the rest of the event is kept
    }

    [Theory]
    [InlineData("\"groups\":[\"kubeadm:cluster-admins\",\"system:authenticated\"]", "\"groups\":\"system:masters\"", "user.groups")]
    [InlineData("\"objectRef\":{\"resource\":\"pods\"", "\"objectRef\":{\"resource\":[\"pods\"]", "objectRef.resource")]
    [InlineData("\"userAgent\":\"kubectl", "\"userAgent\":[\"kubectl\"],\"x\":\"", "userAgent")]
    public void Decode_WrongTypedAuditField_IsRefusedNamingIt(string part, string wrong, string named)
    {
        DecodedInput decoded = JsonLineDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(PodCreate.Replace(part, wrong, StringComparison.Ordinal)));

        Assert.Empty(decoded.Events);
        Assert.Contains(named, Assert.Single(decoded.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EventList_YieldsEveryItemInOrder()
    {
        string list = $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{{Event}},{{Event.Replace("id-1", "id-2", StringComparison.Ordinal)}}]}""";

        (InputFormat format, List<SecurityEvent> events) = Decode(list);

        Assert.Equal(InputFormat.KubernetesAudit, format);
        Assert.Equal(["id-1", "id-2"], events.Select(e => e.Arguments["auditID"]));
    }

    [Fact]
    public void Decode_ListWithABadItem_KeepsTheGoodOneAndNamesTheBadOne()
    {
        // As the webhook receiver does: one bad item of an EventList does not cost the others (sigs replay included).
        string list = """{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"kind":"Event","requestReceivedTimestamp":"2025-11-02T10:00:00Z"},{"kind":"Event"}]}""";

        DecodedInput decoded = JsonLineDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(list));

        Assert.Single(decoded.Events);
        Assert.Contains("items[1]: ", Assert.Single(decoded.Problems), StringComparison.Ordinal);
        Assert.Contains("neither", decoded.Problems[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1"}""", "apiVersion 'audit.k8s.io/v1beta1' is not supported")]
    [InlineData("""{"kind":"Policy","apiVersion":"audit.k8s.io/v1"}""", "kind 'Policy' is not an audit Event or EventList")]
    [InlineData("""{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete"}""", "neither 'requestReceivedTimestamp' nor 'stageTimestamp'")]
    public void Decode_BadAuditInput_SaysWhyAndYieldsNothing(string json, string expected)
    {
        Assert.Contains(expected, Error(json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("[1]")]
    [InlineData("{\"a\":1}")]
    [InlineData("\"kind-worker\"")]
    public void Decode_NodeNameExtraOfTheWrongType_IsRefusedNamingIt(string value)
    {
        string json = Event.ReplaceLineEndings(" ").Replace("\"authentication.kubernetes.io/node-name\":[\"kind-worker\"]", $"\"authentication.kubernetes.io/node-name\":{value}", StringComparison.Ordinal);

        Assert.Contains("user.extra[\"authentication.kubernetes.io/node-name\"]", Error(json), StringComparison.Ordinal);
    }
}
