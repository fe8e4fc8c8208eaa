using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Nats;
using Sigs.Host.Forwarding;
using Sigs.Host.Outputs;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Nats;

/// <summary>The <c>forward</c> and <c>nats</c> keys as users write them, right and wrong.</summary>
public class NatsConfigTests
{
    private const string Correlator = "feeds:\n  - type: nats\n    url: nats://nats:4222\n    insecure: true\n    durable: c-0\n";

    [Fact]
    public void Parse_TheIssuesExample_BindsEveryKey()
    {
        SigsConfig config = ConfigLoader.Parse("""
            forward:
              - type: nats
                url: nats://nats.sigs.svc:4222,nats://nats-2.sigs.svc:4222
                signatures: [SIGS-1003]
                partitions: 2
                stream: SIGS_EVENTS
                credentials: { user: sigs, passwordFile: /etc/sigs/nats-password }
                tls: { caFile: /etc/sigs/ca.pem }
            feeds:
              - type: nats
                url: nats://nats.sigs.svc:4222
                durable: sigs-correlator-0
                partitions: [0]
                credentials: { credsFile: /etc/sigs/correlator.creds }
            outputs:
              - type: nats
                url: nats://nats.sigs.svc:4222
                format: falco
                credentials: { tokenFile: /etc/sigs/nats-token }
            """, "sigs.yaml", HostExtensions.Types);

        var forward = Assert.IsType<NatsForwardOptions>(Assert.Single(config.Forward));
        Assert.Equal(["SIGS-1003"], forward.Signatures);
        Assert.Equal(2, forward.Partitions);
        Assert.Equal("sigs", forward.Credentials!.User);
        Assert.Equal("/etc/sigs/ca.pem", forward.Tls!.CaFile);
        Assert.False(forward.RunLocally);
        var feed = Assert.IsType<NatsFeedOptions>(Assert.Single(config.Feeds));
        Assert.Equal(("sigs-correlator-0", 0, 1, 10.0), (feed.Durable, Assert.Single(feed.Partitions), feed.PartitionCount, feed.LatenessSeconds));
        Assert.Equal("falco", Assert.IsType<NatsOutputOptions>(Assert.Single(config.Outputs!)).Format);
    }

    [Theory]
    [InlineData(Correlator + "    partitions: [2]\n    partitionCount: 2\n", "feeds[0].partitions[0]: 2 is not a partition: partitionCount is 2, so partitions are 0 to 1")]
    [InlineData(Correlator + "    partitions: [0]\n", null)]
    [InlineData(Correlator + "    partitions: [1]\n", "partitions[0]: 1 is not a partition: partitionCount is 1")]
    [InlineData(Correlator + "    partitions: [-1]\n    partitionCount: 4\n", "partitions[0]: -1 is not a partition")]
    [InlineData(Correlator + "    partitions: [0, 0]\n    partitionCount: 4\n", "partitions[1]: 0 is listed twice")]
    [InlineData(Correlator + "    partitions: []\n", "feeds[0].partitions")]
    [InlineData(Correlator + "    partitions: [zero]\n", "feeds[0].partitions")]
    [InlineData("feeds:\n  - type: nats\n    url: nats://nats:4222\n    partitions: [0]\n", "durable")]
    [InlineData(Correlator + "    partitions: [0]\n    durable: has.dot\n", "durable")]
    [InlineData("feeds:\n  - type: nats\n    url: http://nats:4222\n    durable: c\n    partitions: [0]\n", "url: 'http://nats:4222' is not a NATS server URL")]
    [InlineData("forward:\n  - type: nats\n    url: nats://n:4222\n    signatures: []\n", "forward[0].signatures")]
    [InlineData("forward:\n  - type: nats\n    url: nats://n:4222\n    signatures: [SIGS-1003]\n    partitions: 0\n", "forward[0].partitions: must be at least 1")]
    [InlineData("forward:\n  - type: nats\n    url: nats://n:4222\n    signatures: [SIGS-1003]\n    durable: x\n", "forward[0].durable: unknown key")]
    [InlineData("forward:\n  - type: kafka\n    url: x\n", "forward[0].type")]
    [InlineData("forward:\n  - type: nats\n    url: nats://n:4222\n    signatures: [SIGS-1003]\n    credentials: { user: sigs }\n", "credentials.user: needs passwordFile")]
    [InlineData("forward:\n  - type: nats\n    url: nats://n:4222\n    signatures: [SIGS-1003]\n    credentials: { credsFile: a, tokenFile: b }\n", "credentials: give one of")]
    [InlineData("forward:\n  - type: nats\n    url: nats://n:4222\n    signatures: [SIGS-1003]\n    insecure: true\n    tls: { certFile: a }\n", "tls: certFile and keyFile go together")]
    [InlineData("forward:\n  - type: nats\n    url: nats://n:4222\n    signatures: [SIGS-1003]\n", "forward[0].credentials: required")]
    [InlineData("feeds:\n  - type: nats\n    url: nats://n:4222\n    durable: c\n    partitions: [0]\n", "feeds[0].credentials: required")]
    [InlineData("outputs:\n  - type: nats\n    url: nats://n:4222\n", "outputs[0].credentials: required")]
    [InlineData("forward:\n  - type: nats\n    url: nats://n:4222\n    signatures: [SIGS-1003]\n    insecure: true\n    sender: 'node a'\n", "forward[0].sender")]
    [InlineData("outputs:\n  - type: nats\n    url: nats://n:4222\n    format: json\n", "outputs[0].format")]
    public void Parse_NatsKeys_AreCheckedWithTheKeyNamed(string yaml, string? expected)
    {
        if (expected is null)
        {
            Assert.IsType<NatsFeedOptions>(Assert.Single(ConfigLoader.Parse(yaml, "sigs.yaml", HostExtensions.Types).Feeds));
            return;
        }

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "sigs.yaml", HostExtensions.Types));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableServer_AtStart_IsRetriedAndReported_NotFatal()
    {
        var logs = new CapturingLoggerFactory();
        int nobody = Ports.Free();
        var feed = (NatsFeed)FeedTypes.Of(new NatsFeedOptions { Url = $"nats://127.0.0.1:{nobody}", Durable = "c", Partitions = [0] })
            .Create(new NatsFeedOptions { Url = $"nats://127.0.0.1:{nobody}", Durable = "c", Partitions = [0] }, new FeedContext(logs, new ReconnectDelays(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100)), () => Sigs.Host.Feeds.WatchPlan.Empty, TimeProvider.System));
        using var stop = new CancellationTokenSource();
        Task run = feed.RunAsync(new AcknowledgingSink(), stop.Token);

        await Eventually.TrueAsync(() => logs.LinesContaining("cannot connect").Count == 1, "the unreachable server reported");
        await Task.Delay(500);
        Assert.False(run.IsCompleted); // still retrying, quietly
        Assert.Single(logs.LinesContaining("cannot connect"));
        Assert.False(feed.Counters.Connected);

        await using NatsServer server = await NatsServer.StartAsync(nobody);
        await Eventually.TrueAsync(() => feed.Counters.Connected, "the feed to connect once the server is up", TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Single(logs.LinesContaining("connected after"));
    }

    [Fact]
    public void FalcoSubject_IsFalcosidekicks()
    {
        Assert.Equal("falco.warning.read_sensitive_file_untrusted", NatsTarget.FalcoSubject("Warning", "Read sensitive file untrusted"));
        Assert.Equal("falco.critical.k8s_sa_token_read_then_api_request", NatsTarget.FalcoSubject("Critical", "  K8s SA-token read, then API request!! "));
        Assert.Equal("sigs.findings.high.SIGS-1003", NatsTarget.SigsSubject("high", "SIGS-1003"));
        Assert.Equal("sigs.findings.high.ACME_X_Y", NatsTarget.SigsSubject("high", "ACME.X>Y"));
    }

    [Fact]
    public void Forwarder_WithoutNats_NamesAMissingSignatureOnce()
    {
        var logs = new CapturingLoggerFactory();
        var forwarder = new EventForwarder([new NatsForwardOptions { Url = "nats://127.0.0.1:1", Signatures = ["SIGS-9999"] }], logs, TimeProvider.System);
        forwarder.Route(Sigs.Host.Engine.SignatureIndex.Empty);
        Assert.Single(logs.LinesContaining("names signature SIGS-9999, which is not loaded"));
    }

    [Fact]
    public void ACredentialFileThatCannotBeRead_IsAConfigErrorNamingTheKey()
    {
        var options = new NatsForwardOptions { Url = "nats://127.0.0.1:1", Signatures = ["SIGS-1003"], Credentials = new() { User = "sigs", PasswordFile = "/nonexistent/nats-password" } };

        var error = Assert.Throws<ConfigException>(() => new NatsEventPublisher(options, new CapturingLoggerFactory(), TimeProvider.System));

        Assert.StartsWith("credentials.passwordFile '/nonexistent/nats-password': cannot read the password:", error.Message, StringComparison.Ordinal);
    }
}
