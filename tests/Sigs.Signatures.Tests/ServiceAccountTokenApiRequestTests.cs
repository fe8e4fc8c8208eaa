using Sigs.Plugins;
using Sigs.Plugins.Testing;
using Sigs.Signatures.SaTokenApi;

namespace Sigs.Signatures.Tests;

public class ServiceAccountTokenApiRequestTests
{
    private const string Token = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    private static SignatureTestHost<ServiceAccountTokenApiRequestSignature> Run(params SecurityEvent[] events) =>
        new SignatureTestHost<ServiceAccountTokenApiRequestSignature>().Run(events);

    [Theory]
    [InlineData("ResponseComplete")]
    [InlineData("ResponseStarted")]
    public void Sequence_ReadThenRequestFromSamePodWithinWindow_FiresOnce(string stage)
    {
        SecurityEvent read = Ev.Open(Token, pod: "web-1", at: 0);
        SecurityEvent request = Ev.Audit(["web-1"], stage, at: 30);

        var finding = Assert.Single(Run(read, request).Findings);

        Assert.Equal("SIGS-1003", finding.Signature.Id);
        Assert.Same(request, finding.Event);
        Assert.Same(read, finding.Data["tokenRead"]);
        Assert.Equal("web-1", finding.Data["pod"]);
        Assert.Equal(30.0, finding.Data["secondsAfterRead"]);
    }

    [Theory]
    [InlineData(60, 1)]
    [InlineData(60.001, 0)]
    [InlineData(61, 0)]
    [InlineData(-1, 0)]
    public void Sequence_WindowIsSixtySecondsAfterTheRead(double requestAt, int expected)
    {
        Assert.Equal(expected, Run(Ev.Open(Token, at: 0), Ev.Audit(["web-1"], at: requestAt)).Findings.Count);
    }

    [Fact]
    public void Sequence_RequestBeforeRead_DoesNotFire()
    {
        Assert.Empty(Run(Ev.Audit(["web-1"], at: 0), Ev.Open(Token, at: 1)).Findings);
    }

    [Fact]
    public void Sequence_RequestFromAnotherPod_DoesNotFire()
    {
        Assert.Empty(Run(Ev.Open(Token, pod: "web-1"), Ev.Audit(["web-2"], at: 5)).Findings);
    }

    [Theory]
    [InlineData("node-a", new[] { "node-a" }, 1)]
    [InlineData("node-a", new[] { "node-b" }, 0)] // a same-named pod's token on another node, or a read forged by another node
    [InlineData("node-a", new string[0], 1)]     // the API server does not say (before Kubernetes 1.30)
    [InlineData(null, new[] { "node-b" }, 1)]    // the read's node is unknown (a single Sigs beside its sensor)
    public void Sequence_WhereBothSayTheNode_PairsOnlyOnTheSameNode(string? readOn, string[] tokenBoundTo, int expected)
    {
        SecurityEvent read = Ev.Open(Token, pod: "web-1", at: 0);
        read = read with { Kubernetes = read.Kubernetes! with { NodeName = readOn } };
        SecurityEvent request = Ev.Audit(["web-1"], at: 5);
        request = request with { Audit = request.Audit! with { RequestingNodes = tokenBoundTo } };

        Assert.Equal(expected, Run(read, request).Findings.Count);
    }

    [Fact]
    public void Sequence_RequestListingSeveralPods_MatchesAnyOfThem()
    {
        Assert.Single(Run(Ev.Open(Token, pod: "web-1"), Ev.Audit(["other", "web-1"], at: 5)).Findings);
    }

    [Theory]
    [InlineData("RequestReceived")]
    [InlineData("Panic")]
    public void Sequence_OtherStage_DoesNotFire(string stage)
    {
        Assert.Empty(Run(Ev.Open(Token), Ev.Audit(["web-1"], stage, at: 5)).Findings);
    }

    [Fact]
    public void Sequence_ReadNotInteractiveOrNotTheToken_DoesNotFire()
    {
        Assert.Empty(Run(
            Ev.Open(Token, interactive: false),
            Ev.Open(Token, container: null),
            Ev.Open("/var/run/secrets/kubernetes.io/serviceaccount/namespace"),
            Ev.Open(Token, pod: null),
            Ev.Audit(["web-1"], at: 5)).Findings);
    }

    [Fact]
    public void Sequence_ProjectedCaRead_Pairs()
    {
        Assert.Single(Run(Ev.Open("/run/secrets/kubernetes.io/serviceaccount/..data/ca.crt"), Ev.Audit(["web-1"], at: 5)).Findings);
    }

    [Fact]
    public void Sequence_EachReadPairsOnce()
    {
        var harness = Run(Ev.Open(Token, at: 0), Ev.Audit(["web-1"], at: 5), Ev.Audit(["web-1"], at: 6));

        Assert.Single(harness.Findings);
        Assert.Equal(0, harness.Signature.PendingReads);

        harness.Run(Ev.Open(Token, at: 10), Ev.Open(Token, at: 11), Ev.Audit(["web-1"], at: 12));

        Assert.Equal(3, harness.Findings.Count);
    }

    [Fact]
    public void State_OverCapacity_EvictsOldestAndCounts()
    {
        var harness = new SignatureTestHost<ServiceAccountTokenApiRequestSignature>("""{"maxPending":2}""");

        harness.Run(Ev.Open(Token, pod: "a", at: 0), Ev.Open(Token, pod: "b", at: 1), Ev.Open(Token, pod: "c", at: 2));
        harness.Run(Ev.Audit(["a"], at: 3), Ev.Audit(["c"], at: 3));

        Assert.Equal(1, harness.Signature.Evictions);
        Assert.Equal("c", Assert.Single(harness.Findings).Data["pod"]);
        Assert.Equal(1, harness.Signature.PendingReads);
    }

    [Fact]
    public void State_ExpiresAfterTheWindow()
    {
        var harness = Run(Ev.Open(Token, pod: "a", at: 0), Ev.Open(Token, pod: "b", at: 50));

        harness.Run(Ev.Open("/etc/hosts", at: 70));

        Assert.Equal(1, harness.Signature.PendingReads);
        harness.Signal(SignalKind.Tick, Ev.T0.AddSeconds(200));
        Assert.Equal(0, harness.Signature.PendingReads);
    }

    [Fact]
    public void Config_WindowAndStages_AreHonoured()
    {
        var harness = new SignatureTestHost<ServiceAccountTokenApiRequestSignature>("""{"windowSeconds":10,"stages":["RequestReceived"]}""");

        harness.Run(Ev.Open(Token, at: 0), Ev.Audit(["web-1"], "ResponseComplete", at: 5), Ev.Audit(["web-1"], "RequestReceived", at: 11));
        harness.Run(Ev.Open(Token, at: 20), Ev.Audit(["web-1"], "RequestReceived", at: 25));

        Assert.Equal(25.0 - 20.0, Assert.Single(harness.Findings).Data["secondsAfterRead"]);
    }

    [Fact]
    public void Metadata_IsElasticRule4bd306f9()
    {
        SignatureMetadata m = new ServiceAccountTokenApiRequestSignature().Metadata;

        Assert.Equal(("SIGS-1003", Severity.Medium, 47), (m.Id, m.Severity, m.RiskScore));
        Assert.Equal(["TA0002", "TA0006", "TA0007", "TA0008"], m.Tactics);
        Assert.Equal(["T1059.004", "T1528", "T1552.001", "T1613", "T1550.001"], m.Techniques);
    }

    [Fact]
    public void CorrelationKeys_AreThePodsOfReadsAndRequests_AndNoneForWhatCannotPair()
    {
        var signature = new ServiceAccountTokenApiRequestSignature();
        signature.Init(new NoContext());

        Assert.Equal(["web-1"], signature.CorrelationKeys(Ev.Open(Token, pod: "web-1")));
        Assert.Equal(["other", "web-1"], signature.CorrelationKeys(Ev.Audit(["other", "web-1"])));
        Assert.Empty(signature.CorrelationKeys(Ev.Open("/etc/hostname", pod: "web-1"))); // not a token: never pairs
        Assert.Empty(signature.CorrelationKeys(Ev.Audit(["web-1"], "RequestReceived"))); // a stage that does not count
        Assert.Empty(signature.CorrelationKeys(Ev.Audit([])));
    }

    private sealed class NoContext : SignatureContext
    {
        public override System.Text.Json.JsonElement Config => System.Text.Json.JsonDocument.Parse("{}").RootElement;

        public override TimeProvider Clock => TimeProvider.System;

        public override void Log(SignatureLogLevel level, string message)
        {
        }

        public override void Report(SecurityEvent trigger, IReadOnlyDictionary<string, object?>? data = null) => throw new InvalidOperationException("no finding expected");
    }
}
