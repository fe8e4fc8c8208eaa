using System.Text.Json;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Falco;
using Sigs.Plugins;
using static Sigs.Host.Tests.Feeds.DecodeHelper;

namespace Sigs.Host.Tests.Feeds;

/// <summary>
/// Falco alerts of the k8saudit plugin (source <c>k8s_audit</c>), in the shape Falco's JSON output writes them:
/// <c>ka.*</c> fields as the plugin names them, the json plugin's <c>json.value[/pointer]</c> and <c>json.obj</c>.
/// </summary>
[Collection(DecoderCountersCollection.Name)]
public class FalcoAuditAlertTests
{
    private static string Alert(string fields, string source = "\"source\":\"k8s_audit\",") =>
        $$$"""{"hostname":"falco-7xk2p","output":"x","priority":"Warning","rule":"K8s Serviceaccount Secrets Listed",{{{source}}}"tags":["k8s"],"time":"2025-11-02T10:00:44.010000000Z","output_fields":{{{{fields}}}}}""";

    /// <summary>What the webhook receives for the request the alerts below were raised on.</summary>
    private const string AuditEvent = """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-1","stage":"ResponseComplete",
         "requestURI":"/api/v1/namespaces/shop/secrets","verb":"list","userAgent":"kubectl/v1.31.0",
         "user":{"username":"system:serviceaccount:shop:web","groups":["system:serviceaccounts","system:authenticated"],"extra":{"authentication.kubernetes.io/pod-name":["web-7d4b9"],"authentication.kubernetes.io/node-name":["kind-worker"]}},
         "sourceIPs":["10.244.1.7"],"objectRef":{"resource":"secrets","namespace":"shop"},
         "responseStatus":{"metadata":{},"code":200},"stageTimestamp":"2025-11-02T10:00:44.010000Z"}
        """;

    private const string KaFields = """
        "ka.auditid":"id-1","ka.stage":"ResponseComplete","ka.verb":"list","ka.uri":"/api/v1/namespaces/shop/secrets",
        "ka.user.name":"system:serviceaccount:shop:web","ka.user.groups":["system:serviceaccounts","system:authenticated"],
        "ka.target.resource":"secrets","ka.target.namespace":"shop","ka.response.code":"200","ka.useragent":"kubectl/v1.31.0",
        "ka.sourceips":["10.244.1.7"],
        "json.value[/user/extra/authentication.kubernetes.io~1pod-name]":"[\"web-7d4b9\"]",
        "json.value[/user/extra/authentication.kubernetes.io~1node-name]":"[\"kind-worker\"]"
        """;

    [Fact]
    public void Decode_KaAndJsonValueFields_GiveTheAuditEventTheWebhookGives()
    {
        SecurityEvent fromFalco = Single(Alert(KaFields), InputFormat.FalcoAlert);
        SecurityEvent fromWebhook = Single(AuditEvent, InputFormat.KubernetesAudit);

        Assert.Equal(EventNames.KubernetesAudit, fromFalco.Name);
        Assert.Equal(EventSources.Falco, fromFalco.Source);
        Assert.Equal("falco-7xk2p", fromFalco.HostName);
        Assert.Equal(fromWebhook.Time, fromFalco.Time);
        Assert.Equal(["web-7d4b9"], fromFalco.Audit!.RequestingPods);
        Assert.Equal(["kind-worker"], fromFalco.Audit.RequestingNodes);
        Assert.Equal(200, fromFalco.Audit.ResponseCode);
        Assert.Equal(["10.244.1.7"], fromFalco.Audit.SourceIps);
        Assert.Equal(Json(fromWebhook.Audit), Json(fromFalco.Audit));
        Assert.Equal(fromWebhook.Kubernetes, fromFalco.Kubernetes);
    }

    [Fact]
    public void Decode_JsonObj_IsTheWholeEvent()
    {
        string obj = JsonSerializer.Serialize(JsonDocument.Parse(AuditEvent).RootElement.ToString());
        SecurityEvent fromFalco = Single(Alert($"\"json.obj\":{obj},\"ka.verb\":\"get\""), InputFormat.FalcoAlert);

        Assert.Equal(Json(Single(AuditEvent, InputFormat.KubernetesAudit).Audit), Json(fromFalco.Audit));
    }

    [Theory]
    [InlineData("\"(system:serviceaccounts,system:authenticated)\"")]
    [InlineData("[\"system:serviceaccounts\",\"system:authenticated\"]")]
    public void Decode_ListFields_InTextOrJsonForm(string groups)
    {
        SecurityEvent e = Single(Alert($"\"ka.verb\":\"get\",\"ka.user.groups\":{groups}"), InputFormat.FalcoAlert);

        Assert.Equal(["system:serviceaccounts", "system:authenticated"], e.Audit!.UserGroups);
    }

    [Fact]
    public void Decode_WithoutSource_KaFieldsAndNoEventType_AreAnAuditAlert()
    {
        SecurityEvent e = Single(Alert("\"ka.verb\":\"delete\",\"ka.target.resource\":\"pods\"", source: string.Empty), InputFormat.FalcoAlert);

        Assert.Equal(EventNames.KubernetesAudit, e.Name);
        Assert.Equal("delete", e.Audit!.Verb);
        Assert.Equal("pods", e.Audit.ObjectRef!.Resource);
    }

    [Fact]
    public void Decode_TheAlertsTime_IsTheEventsTime_WhenNoFieldGivesOne()
    {
        SecurityEvent e = Single(Alert("\"ka.verb\":\"get\""), InputFormat.FalcoAlert);

        Assert.Equal(new DateTimeOffset(2025, 11, 2, 10, 0, 44, 10, TimeSpan.Zero), e.Time);
    }

    [Theory]
    [InlineData("\"source\":\"internal\",", "\"evt.type\":\"openat\"", "a Falco alert of source 'internal' has no contract event (Sigs maps the sources syscall and k8s_audit)")]
    [InlineData("\"source\":\"aws_cloudtrail\",", "\"ct.name\":\"x\"", "a Falco alert of source 'aws_cloudtrail' has no contract event (Sigs maps the sources syscall and k8s_audit)")]
    [InlineData("", "\"proc.name\":\"cat\"", "output_fields has no 'evt.type'; add %evt.type to the rule's output")]
    [InlineData("\"source\":\"k8s_audit\",", "\"ka.response.code\":\"OK\"", "output field 'ka.response.code' is no integer: the text 'OK'")]
    [InlineData("\"source\":\"k8s_audit\",", "\"json.obj\":\"[1]\"", "output field 'json.obj' is no JSON object")]
    [InlineData("\"source\":\"k8s_audit\",", "\"json.obj\":\"{\\\"kind\\\":\\\"Event\\\"}\"", "the audit event of a k8s_audit alert's fields is no single audit.k8s.io/v1 Event")]
    [InlineData("\"source\":\"k8s_audit\",", "\"json.value[/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q]\":\"1\"", "output field pointer the text '/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q' is deeper than 16 members")]
    public void Decode_AlertsWithNoContractEvent_AreRefusedWithTheReason(string source, string fields, string expected)
    {
        Assert.Equal(expected, Error(Alert(fields, source)));
    }

    [Fact]
    public void Decode_ABodyWhoseResourceTheAlertDoesNotSay_IsNotKept()
    {
        SecurityEvent e = Single(Alert("\"ka.verb\":\"create\",\"json.value[/requestObject]\":\"{\\\"data\\\":{\\\"k\\\":\\\"c2VjcmV0\\\"}}\""), InputFormat.FalcoAlert);

        Assert.Null(e.Audit!.RequestObject);
    }

    [Fact]
    public void Decode_AStringMemberThatLooksLikeJson_StaysText()
    {
        SecurityEvent e = Single(Alert("\"ka.verb\":\"get\",\"json.value[/userAgent]\":\"[1]\",\"json.value[/objectRef/name]\":\"{}\",\"ka.target.resource\":\"pods\""), InputFormat.FalcoAlert);

        Assert.Equal("[1]", e.Audit!.UserAgent);
        Assert.Equal("{}", e.Audit.ObjectRef!.Name);
    }

    [Theory]
    [InlineData("\"json.value[/user]\":\"{\\\"a\\\":1,\\\"a\\\":2}\",\"json.value[/user/extra/x]\":\"[\\\"y\\\"]\"")]
    [InlineData("\"json.value[/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o]\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\"")]
    public void Decode_FieldsThatMakeNoAuditEvent_AreRefusedByName(string fields)
    {
        Assert.StartsWith("a k8s_audit alert's fields make no audit event: ", Error(Alert("\"ka.verb\":\"get\"," + fields)), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ASecretsBodyInJsonValue_IsNeverKept()
    {
        SecurityEvent e = Single(Alert("\"ka.verb\":\"create\",\"ka.target.resource\":\"secrets\",\"json.value[/requestObject]\":\"{\\\"data\\\":{\\\"k\\\":\\\"c2VjcmV0\\\"}}\""), InputFormat.FalcoAlert);

        Assert.Null(e.Audit!.RequestObject);
    }

    private static string Json(AuditInfo? audit) => JsonSerializer.Serialize(audit);
}
