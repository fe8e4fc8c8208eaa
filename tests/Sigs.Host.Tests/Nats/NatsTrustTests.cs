using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Host.Feeds.Nats;
using Sigs.Host.Forwarding;
using Sigs.Host.Nats;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Nats;

/// <summary>
/// Who may speak to Sigs over NATS, against a real <c>nats-server</c> with TLS and the users and permissions
/// deploy/nats/sigs-users.sh writes: strangers are refused by the server, a node publishes only as itself, a
/// correlator consumes only its partition, nobody but the administrator changes the stream, and what a sender may
/// publish still counts only when it matches who sent it.
/// </summary>
[Trait("Category", "Slow")]
public sealed class NatsTrustTests : IAsyncLifetime
{
    private static readonly ReconnectDelays Fast = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500));
    private static readonly NatsHeaders Schema = new() { [EventSubjects.SchemaHeader] = EventSubjects.SchemaVersion };
    private readonly CapturingLoggerFactory _logs = new();
    private SecureNats _nats = null!;

    public async Task InitializeAsync() => _nats = await SecureNats.StartAsync();

    public async Task DisposeAsync() => await _nats.DisposeAsync();

    private NatsOpts Login(string? user) => NatsOpts.Default with
    {
        Url = _nats.Url,
        AuthOpts = user is null ? NatsAuthOpts.Default : new NatsAuthOpts { Username = user, Password = _nats.Password(user) },
        TlsOpts = new NatsTlsOpts { CaFile = _nats.Certificates.CaFile, Mode = TlsMode.Require },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(30), // a TLS handshake on a loaded machine can take longer than the default 2 s
        RequestTimeout = TimeSpan.FromSeconds(2),
    };

    private NatsFeed Correlator(int partition) => new(
        new NatsFeedOptions
        {
            Url = _nats.Url,
            Credentials = new() { User = $"sigs-correlator-{partition}", PasswordFile = _nats.PasswordFile($"sigs-correlator-{partition}") },
            Tls = new() { CaFile = _nats.Certificates.CaFile },
            Durable = $"sigs-correlator-{partition}",
            Partitions = [partition],
            PartitionCount = SecureNats.Partitions,
            LatenessSeconds = 0,
        },
        _logs.CreateLogger("feed"), _logs, Fast, TimeProvider.System);

    private static byte[] Body(SecurityEvent securityEvent) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(securityEvent, ContractJson.Options));

    private static async Task<RunningFeed> RunAsync(NatsFeed feed, AcknowledgingSink sink)
    {
        RunningFeed running = await RunningFeed.StartAsync(feed, sink);
        Assert.False(running.Ended, "the correlator stopped");
        return running;
    }

    private async Task<long> StoredAsync()
    {
        await using var admin = new NatsConnection(Login("sigs-admin"));
        INatsJSStream stream = await new NatsJSContext(admin).GetStreamAsync(EventSubjects.DefaultStream);
        return stream.Info.State.Messages;
    }

    [Fact]
    public async Task AClientWithoutCredentials_OrWithAWrongPassword_IsRefusedByTheServer()
    {
        await using var stranger = new NatsConnection(Login(null));
        await Assert.ThrowsAnyAsync<NatsException>(async () => await stranger.ConnectAsync());

        await using var guesser = new NatsConnection(Login("sigs-node-node-a") with { AuthOpts = new NatsAuthOpts { Username = "sigs-node-node-a", Password = "guess" } });
        await Assert.ThrowsAnyAsync<NatsException>(async () => await guesser.ConnectAsync());
    }

    [Fact]
    public async Task ANode_PublishesOnlyAsItself_AndNeitherChangesTheStreamNorReadsAPartition()
    {
        var sink = new AcknowledgingSink();
        var running = await RunAsync(Correlator(0), sink); // creates the stream
        DateTimeOffset now = DateTimeOffset.UtcNow;
        await using (var node = new NatsConnection(Login("sigs-node-node-a")))
        {
            await node.ConnectAsync();
            // Core publishes: a denied one is dropped by the server (and reported to the client asynchronously).
            await node.PublishAsync("sigs.events.0.node.node-b", Body(NatsEvents.TokenRead("forged-b", now, "node-b")), headers: Schema);
            await node.PublishAsync("sigs.events.0.audit.audit", Body(NatsEvents.ApiRequest("forged-audit", now, "x")), headers: Schema);
            await node.PublishAsync("sigs.events.0.node.node-a", Body(NatsEvents.TokenRead("mine", now, "node-a")), headers: Schema);
            var js = new NatsJSContext(node);
            await Assert.ThrowsAnyAsync<Exception>(async () => await js.DeleteStreamAsync(EventSubjects.DefaultStream));
            await Assert.ThrowsAnyAsync<Exception>(async () => await js.PurgeStreamAsync(EventSubjects.DefaultStream, new StreamPurgeRequest()));
            await Assert.ThrowsAnyAsync<Exception>(async () => await js.CreateOrUpdateConsumerAsync(EventSubjects.DefaultStream, new ConsumerConfig("thief") { FilterSubject = EventSubjects.Partition(0) }));
            await Assert.ThrowsAnyAsync<Exception>(async () => await js.DeleteConsumerAsync(EventSubjects.DefaultStream, "sigs-correlator-0-0"));
        }

        await Eventually.TrueAsync(() => sink.Events.Count >= 1, "the node's own event");
        await Task.Delay(1_000); // anything forged would have arrived by now
        await running.DisposeAsync();

        SecurityEvent only = Assert.Single(sink.Events);
        Assert.Equal("mine", only.Kubernetes!.PodName);
        Assert.Equal("node-a", only.Kubernetes.NodeName);
        Assert.Equal(1L, await StoredAsync());
    }

    [Fact]
    public async Task ACorrelator_ConsumesOnlyItsOwnPartition_AndCannotTakeAnotherCorrelatorsMessages()
    {
        var running = await RunAsync(Correlator(1), new AcknowledgingSink());
        await using var correlator = new NatsConnection(Login("sigs-correlator-0"));
        var js = new NatsJSContext(correlator);
        await Assert.ThrowsAnyAsync<Exception>(async () => await js.CreateOrUpdateConsumerAsync(EventSubjects.DefaultStream, new ConsumerConfig("sigs-correlator-0-0") { FilterSubject = EventSubjects.Partition(1) }));
        await Assert.ThrowsAnyAsync<Exception>(async () => await js.DeleteConsumerAsync(EventSubjects.DefaultStream, "sigs-correlator-1-1"));
        await Assert.ThrowsAnyAsync<Exception>(async () => await js.DeleteStreamAsync(EventSubjects.DefaultStream));
        INatsJSConsumer own = await js.CreateOrUpdateConsumerAsync(EventSubjects.DefaultStream, new ConsumerConfig("sigs-correlator-0-0") { DurableName = "sigs-correlator-0-0", FilterSubject = EventSubjects.Partition(0) });
        Assert.Equal("sigs-correlator-0-0", own.Info.Name);
        await running.DisposeAsync();
    }

    [Fact]
    public async Task AForward_WithANodesCredentials_ReachesTheCorrelator_NamingItsNode()
    {
        var sinks = new[] { new AcknowledgingSink(), new AcknowledgingSink() };
        var correlators = new[] { await RunAsync(Correlator(0), sinks[0]), await RunAsync(Correlator(1), sinks[1]) };
        var options = new NatsForwardOptions
        {
            Url = _nats.Url,
            Credentials = new() { User = "sigs-node-node-b", PasswordFile = _nats.PasswordFile("sigs-node-node-b") },
            Tls = new() { CaFile = _nats.Certificates.CaFile },
            Sender = "node-b",
            Signatures = ["SIGS-1003"],
            Partitions = SecureNats.Partitions,
        };
        DateTimeOffset now = DateTimeOffset.UtcNow;
        await using (var publisher = new NatsEventPublisher(options, _logs, TimeProvider.System, Fast))
        {
            publisher.Start();
            for (int n = 0; n < 20; n++)
            {
                publisher.Publish(NatsEvents.TokenRead($"web-{n}", now.AddMilliseconds(n), "node-b"), EventSubjects.PartitionOf($"web-{n}", SecureNats.Partitions));
            }

            await Eventually.TrueAsync(() => publisher.Counts.Published == 20, "every event published", describe: () => $"{publisher.Counts}");
        }

        await Eventually.TrueAsync(() => sinks.Sum(s => s.Events.Count) == 20, "every event at its correlator");
        foreach (var running in correlators)
        {
            await running.DisposeAsync();
        }

        Assert.All(sinks.SelectMany(s => s.Events), e => Assert.Equal("node-b", e.Kubernetes!.NodeName));
        Assert.All(sinks[1].Events, e => Assert.Equal(1, EventSubjects.PartitionOf(e.Kubernetes!.PodName!, SecureNats.Partitions)));
    }
}
