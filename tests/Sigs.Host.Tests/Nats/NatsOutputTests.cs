using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using Sigs.Host.Common;
using Sigs.Host.Engine;
using Sigs.Host.Outputs;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Nats;

/// <summary>Findings to NATS in Falcosidekick's shape and in Sigs' own, through a real server, across an outage.</summary>
[Trait("Category", "Slow")]
public sealed class NatsOutputTests : IAsyncLifetime
{
    private readonly CapturingLoggerFactory _logs = new();
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Finding MakeFinding(int n) => new(
        DateTimeOffset.UnixEpoch.AddSeconds(1_800_000_000 + n),
        new SignatureMetadata { Id = "SIGS-1003", Version = "1", Name = "Service Account Token Read Followed by Kubernetes API Request", EventName = "k8s_sa_token_api_request", Description = "d", Severity = Severity.Medium, Tactics = ["TA0006"], Techniques = ["T1528"], Tags = ["kubernetes"] },
        NatsEvents.ApiRequest($"web-{n}", DateTimeOffset.UnixEpoch.AddSeconds(1_800_000_000 + n), $"r{n}"),
        new Dictionary<string, object?> { ["pod"] = $"web-{n}" });

    private DeliveringOutput Output(string format) => (DeliveringOutput)new NatsOutputType().Create(
        new NatsOutputOptions { Url = _server.Url, Format = format }, _logs, TimeProvider.System);

    /// <summary>A core subscription, as a Falcosidekick consumer has: what arrives on <paramref name="subjects"/>.</summary>
    private async Task<(List<(string Subject, string Body)> Received, Func<ValueTask> Stop)> SubscribeAsync(string subjects)
    {
        var connection = new NatsConnection(new NatsOpts { Url = _server.Url });
        var received = new List<(string, string)>();
        var stop = new CancellationTokenSource();
        INatsSub<byte[]> sub = await connection.SubscribeCoreAsync<byte[]>(subjects, cancellationToken: stop.Token);
        Task reading = Task.Run(async () =>
        {
            await foreach (NatsMsg<byte[]> message in sub.Msgs.ReadAllAsync(stop.Token))
            {
                lock (received)
                {
                    received.Add((message.Subject, Encoding.UTF8.GetString(message.Data ?? [])));
                }
            }
        });
        return (received, async () =>
        {
            await stop.CancelAsync();
            await sub.DisposeAsync();
            await connection.DisposeAsync();
        });
    }

    [Fact]
    public async Task FalcoFormat_IsFalcosidekicksSubjectAndAlert_AndEachFindingArrivesOnce()
    {
        (List<(string Subject, string Body)> received, Func<ValueTask> stop) = await SubscribeAsync("falco.>");
        using (DeliveringOutput output = Output("falco"))
        {
            output.Write(MakeFinding(1), FindingJson.Serialize(MakeFinding(1)));
            output.Write(MakeFinding(2), FindingJson.Serialize(MakeFinding(2)));
            await Eventually.TrueAsync(() => output.Deliveries.Delivered == 2, "two acknowledged findings");
        }

        await Eventually.TrueAsync(() => received.Count == 2, "both on the subscription");
        await stop();
        Assert.All(received, r => Assert.Equal("falco.warning.service_account_token_read_followed_by_kubernetes_api_request", r.Subject));
        JsonElement alert = JsonDocument.Parse(received[0].Body).RootElement;
        Assert.Equal("Service Account Token Read Followed by Kubernetes API Request", alert.GetProperty("rule").GetString());
        Assert.Equal("Warning", alert.GetProperty("priority").GetString());
        Assert.Equal("web-1", alert.GetProperty("output_fields").GetProperty("k8s.pod.name").GetString());
        Assert.Matches("^[0-9a-f-]{36}$", alert.GetProperty("uuid").GetString());
    }

    [Fact]
    public async Task SigsFormat_WhileTheServerIsDown_IsRetriedAndDeliveredInOrderAfter()
    {
        (List<(string Subject, string Body)> received, Func<ValueTask> stop) = await SubscribeAsync("sigs.findings.>");
        using DeliveringOutput output = Output("sigs");
        output.Write(MakeFinding(0), FindingJson.Serialize(MakeFinding(0)));
        await Eventually.TrueAsync(() => output.Deliveries.Delivered == 1, "the first finding");
        _server.Stop();
        for (int n = 1; n <= 5; n++)
        {
            output.Write(MakeFinding(n), FindingJson.Serialize(MakeFinding(n)));
        }

        await Eventually.TrueAsync(() => output.Deliveries.Retries > 0, "retries while the server is down", TimeSpan.FromSeconds(30));
        await _server.RestartAsync(TimeSpan.Zero);
        await Eventually.TrueAsync(() => output.Deliveries.Delivered == 6, "every finding", TimeSpan.FromSeconds(60), () => $"{output.Deliveries}; {string.Join(" | ", _logs.Lines)}");
        await stop();

        Assert.Equal(0, output.Deliveries.Dropped);
        Assert.Equal("sigs.findings.medium.SIGS-1003", received[0].Subject);
        Assert.Equal(
            [.. Enumerable.Range(0, 6).Select(n => $"web-{n}")],
            (await ReadStreamPodsAsync()).Distinct());
    }

    /// <summary>What the findings stream holds, in order (the core subscription misses what came during its reconnect).</summary>
    private async Task<List<string>> ReadStreamPodsAsync()
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = _server.Url });
        var js = new NATS.Client.JetStream.NatsJSContext(connection);
        var consumer = await js.CreateOrderedConsumerAsync(NatsTarget.DefaultStream);
        var pods = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var message in consumer.FetchAsync<byte[]>(new NATS.Client.JetStream.NatsJSFetchOpts { MaxMsgs = 100, Expires = TimeSpan.FromSeconds(2) }, cancellationToken: timeout.Token))
        {
            pods.Add(JsonDocument.Parse(message.Data!).RootElement.GetProperty("data").GetProperty("pod").GetString()!);
        }

        return pods;
    }
}
