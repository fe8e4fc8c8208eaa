using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Sigs.Host.Common;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Nats;
using Sigs.Host.Forwarding;
using Sigs.Host.Nats;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Nats;

/// <summary>A forward's publisher and a correlator's feed against a real JetStream server.</summary>
[Trait("Category", "Slow")]
public sealed class NatsRoundTripTests : IAsyncLifetime
{
    private static readonly ReconnectDelays Fast = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500));
    private readonly CapturingLoggerFactory _logs = new();
    private readonly TempFolder _folder = new();
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private NatsEventPublisher Publisher(int partitions = 2, string? spool = null) =>
        new(new NatsForwardOptions { Url = _server.Url, Signatures = ["SIGS-1003"], Partitions = partitions, SpoolDir = spool }, _logs, TimeProvider.System, Fast);

    private NatsFeed Feed(string durable, int[] partitions, int partitionCount = 2, double lateness = 0) =>
        new(new NatsFeedOptions { Url = _server.Url, Durable = durable, Partitions = partitions, PartitionCount = partitionCount, LatenessSeconds = lateness },
            _logs.CreateLogger("feed"), _logs, Fast, TimeProvider.System);

    private static Task<RunningFeed> RunAsync(NatsFeed feed, AcknowledgingSink sink) => RunningFeed.StartAsync(feed, sink);

    private static async Task StopAsync(RunningFeed running) => await running.DisposeAsync();

    private static SecurityEvent Numbered(int n, DateTimeOffset? time = null) => NatsEvents.ApiRequest($"pod-{n}", time ?? DateTimeOffset.UnixEpoch.AddSeconds(1_800_000_000 + n), $"a{n}");

    private static string Json(SecurityEvent e) => System.Text.Json.JsonSerializer.Serialize(e, Sigs.Host.Contract.ContractJson.Options);

    private static int NumberOf(SecurityEvent e) => int.Parse(e.Arguments["auditID"][1..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Events_ReachTheFeedThatOwnsTheirPartition_EachOnce()
    {
        await using NatsEventPublisher publisher = Publisher();
        publisher.Start();
        for (int n = 0; n < 2_000; n++)
        {
            publisher.Publish(Numbered(n), EventSubjects.PartitionOf($"pod-{n}", 2));
        }

        AcknowledgingSink zero = new(), one = new();
        var running0 = await RunAsync(Feed("c0", [0]), zero);
        var running1 = await RunAsync(Feed("c1", [1]), one);
        await Eventually.TrueAsync(() => zero.Events.Count + one.Events.Count >= 2_000, "every event", describe: () => $"{zero.Events.Count} + {one.Events.Count}");
        await Task.Delay(300);
        await StopAsync(running0);
        await StopAsync(running1);

        Assert.Equal(2_000, publisher.Counts.Published);
        Assert.All(zero.Events, e => Assert.Equal(0, EventSubjects.PartitionOf(e.Kubernetes!.PodName!, 2)));
        Assert.All(one.Events, e => Assert.Equal(1, EventSubjects.PartitionOf(e.Kubernetes!.PodName!, 2)));
        Assert.Equal(Enumerable.Range(0, 2_000), zero.Events.Concat(one.Events).Select(NumberOf).Order());
        Assert.InRange(zero.Events.Count, 800, 1_200); // the hash spreads the pods
        Assert.Equal(Json(Numbered(7)), Json(zero.Events.Concat(one.Events).Single(e => NumberOf(e) == 7)));
    }

    [Fact]
    public async Task Restart_ResumesWithWhatWasNotProcessed_AfterReplayingWhatWas()
    {
        await using NatsEventPublisher publisher = Publisher(partitions: 1);
        publisher.Start();
        for (int n = 0; n < 100; n++)
        {
            publisher.Publish(Numbered(n), 0);
        }

        await Eventually.TrueAsync(() => publisher.Counts.Published == 100, "the first hundred published");
        var first = new AcknowledgingSink();
        var running = await RunAsync(Feed("c", [0], partitionCount: 1), first);
        await Eventually.TrueAsync(() => first.Events.Count == 100, "the first hundred");
        await Task.Delay(500); // their acknowledgements
        first.Holding = true; // the next ones reach the engine but are not processed before the "crash"
        for (int n = 100; n < 150; n++)
        {
            publisher.Publish(Numbered(n), 0);
        }

        await Eventually.TrueAsync(() => first.Events.Count == 150, "the next fifty");
        await StopAsync(running);

        var second = new AcknowledgingSink();
        running = await RunAsync(Feed("c", [0], partitionCount: 1), second);
        await Eventually.TrueAsync(() => second.Events.Count >= 50, "what was not processed", describe: () => $"{second.Events.Count}");
        await Task.Delay(300);
        await StopAsync(running);

        Assert.Equal(Enumerable.Range(100, 50), second.Events.Select(NumberOf));
        Assert.Equal(Enumerable.Range(0, 100), second.Replayed.Select(NumberOf)); // state rebuilt from what was processed
    }

    [Fact]
    public async Task EventsArrivingOutOfOrder_LeaveInEventTimeOrder_WithinTheLateness()
    {
        await using NatsEventPublisher publisher = Publisher(partitions: 1);
        publisher.Start();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var sink = new AcknowledgingSink();
        var running = await RunAsync(Feed("o", [0], partitionCount: 1, lateness: 2), sink);

        publisher.Publish(Numbered(2, now.AddSeconds(1)), 0); // the second half first, as from another node
        await Task.Delay(300);
        publisher.Publish(Numbered(1, now), 0);
        await Eventually.TrueAsync(() => sink.Events.Count == 2, "both events", TimeSpan.FromSeconds(30), () => $"{sink.Events.Count} events; forward {publisher.Counts}; log: {string.Join(" | ", _logs.Lines)}");
        publisher.Publish(Numbered(0, now.AddSeconds(-30)), 0); // far later than the bound
        await Eventually.TrueAsync(() => sink.Events.Count == 3, "the late event", TimeSpan.FromSeconds(30));
        await StopAsync(running);

        Assert.Equal([1, 2, 0], sink.Events.Select(NumberOf));
    }

    [Fact]
    public async Task BadMessages_AreCountedAndTerminated_AndTheOthersArrive()
    {
        await using NatsEventPublisher publisher = Publisher(partitions: 1);
        publisher.Start();
        publisher.Publish(Numbered(1), 0);
        await Eventually.TrueAsync(() => publisher.Counts.Published == 1, "the first good event");
        await using (var raw = new NatsConnection(new NatsOpts { Url = _server.Url }))
        {
            var js = new NATS.Client.JetStream.NatsJSContext(raw);
            var v1 = new NatsHeaders { [EventSubjects.SchemaHeader] = "1" };
            await js.PublishAsync("sigs.events.0.audit.test", Encoding.UTF8.GetBytes("not json"), headers: v1);
            await js.PublishAsync("sigs.events.0.audit.test", Encoding.UTF8.GetBytes("""{"time":"2026-01-01T00:00:00Z","source":"x"}"""), headers: v1);
            await js.PublishAsync("sigs.events.0.audit.test", Encoding.UTF8.GetBytes("""{"time":"2026-01-01T00:00:00Z","source":"x","name":"y"}"""));
            await js.PublishAsync("sigs.events.0.audit.test", Encoding.UTF8.GetBytes("""{"time":"2026-01-01T00:00:00Z","source":"x","name":"y"}"""), headers: new NatsHeaders { [EventSubjects.SchemaHeader] = "99" });
            await js.PublishAsync("sigs.events.0.audit.test", new byte[EventSubjects.MaxMessageBytes + 1], headers: v1);
            await js.PublishAsync("sigs.events.0.audit.test", Encoding.UTF8.GetBytes("""{"time":"2026-01-01T00:00:00Z","source":"x","name":"y","args":{"a":null}}"""), headers: v1);
            // A good event under a 60 KiB message id: kept, ids like it would grow the correlator's memory by their length.
            var longId = new NatsHeaders { [EventSubjects.SchemaHeader] = "1", ["Nats-Msg-Id"] = new string('i', 60 * 1024) };
            await js.PublishAsync("sigs.events.0.audit.test", Encoding.UTF8.GetBytes(Json(Numbered(9))), headers: longId);
        }

        publisher.Publish(Numbered(2), 0);
        var sink = new AcknowledgingSink();
        NatsFeed feed = Feed("b", [0], partitionCount: 1);
        var running = await RunAsync(feed, sink);
        await Eventually.TrueAsync(() => sink.Events.Count == 2 && feed.Counters.DecodeErrors == 7, "the good events and seven errors", describe: () => $"{sink.Events.Count} events, {feed.Counters.DecodeErrors} errors");
        await Task.Delay(500);
        await StopAsync(running);

        var again = new AcknowledgingSink();
        NatsFeed restarted = Feed("b", [0], partitionCount: 1);
        running = await RunAsync(restarted, again);
        await Task.Delay(1_000);
        await StopAsync(running);

        Assert.Equal([1, 2], sink.Events.Select(NumberOf));
        Assert.Empty(again.Events);
        Assert.Equal(0, restarted.Counters.DecodeErrors); // terminated: not delivered again
        string[] errors = [.. _logs.Lines.Where(l => l.Contains("terminated", StringComparison.Ordinal))];
        Assert.Contains(errors, l => l.Contains("sigs.events.0.audit.test message 2:", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Contains("no Sigs-Schema header", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Contains("schema version '99' is not 1", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Contains($"{EventSubjects.MaxMessageBytes + 1} bytes", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Contains("field 'args' must map names to strings", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Contains($"a Nats-Msg-Id of {60 * 1024} characters, more than the {NatsFeed.MaxMessageIdLength}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventsThatDoNotMatchTheirSender_AreRefused_CountedByReason_AndLoggedOncePerSenderAndReason()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        SecurityEvent onB = NatsEvents.TokenRead("pod-b", now, "node-b") with { Kubernetes = new KubernetesInfo { PodName = "pod-b", Namespace = "shop", NodeName = "node-b" } };
        (string Subject, SecurityEvent Event)[] sent =
        [
            ("sigs.events.0.node.node-a", NatsEvents.ApiRequest("pod-1", now, "forged")),   // audit from a node
            ("sigs.events.0.node.node-a", NatsEvents.ApiRequest("pod-2", now, "forged-2")), // again: counted, not logged again
            ("sigs.events.0.audit.audit", NatsEvents.TokenRead("pod-3", now)),              // a token read on the audit subject
            ("sigs.events.0.node.node-a", onB),                                             // node a naming node b
            ("sigs.events.0.other.node-a", NatsEvents.TokenRead("pod-4", now)),             // no role
            ("sigs.events.0.node.node-a", NatsEvents.TokenRead("pod-5", now)),              // fine: named node-a
            ("sigs.events.0.audit.audit", NatsEvents.ApiRequest("pod-6", now, "real")),     // fine
        ];
        await using (var raw = new NatsConnection(new NatsOpts { Url = _server.Url }))
        {
            var js = new NATS.Client.JetStream.NatsJSContext(raw);
            await EventSubjects.EnsureStreamAsync(js, EventSubjects.DefaultStream, EventSubjects.Prefix + ">", TimeSpan.FromHours(1), CancellationToken.None);
            foreach ((string subject, SecurityEvent e) in sent)
            {
                await js.PublishAsync(subject, Encoding.UTF8.GetBytes(Json(e)), headers: new NatsHeaders { [EventSubjects.SchemaHeader] = "1" });
            }
        }

        var sink = new AcknowledgingSink();
        NatsFeed feed = Feed("o", [0], partitionCount: 1);
        var running = await RunAsync(feed, sink);
        await Eventually.TrueAsync(() => sink.Events.Count == 2 && feed.Counters.Refused.Values.Sum() == 5, "two events taken, five refused", describe: () => $"{sink.Events.Count} events, {string.Join(", ", feed.Counters.Refused)}");
        await StopAsync(running);

        Assert.Equal(["pod-5", "pod-6"], sink.Events.Select(e => e.Kubernetes!.PodName));
        Assert.Equal("node-a", sink.Events[0].Kubernetes!.NodeName);
        Assert.Equal(
            new Dictionary<string, long> { [SenderBinding.AuditFromNode] = 2, [SenderBinding.NotAudit] = 1, [SenderBinding.OtherNode] = 1, [SenderBinding.NoOrigin] = 1 },
            feed.Counters.Refused);
        string[] refusals = [.. _logs.Lines.Where(l => l.Contains("refused from sender", StringComparison.Ordinal))];
        Assert.Equal(4, refusals.Length);
        Assert.Single(refusals, l => l.Contains("sender node-a: an audit event from a node", StringComparison.Ordinal));
        Assert.Equal(0, feed.Counters.DecodeErrors);
    }

    [Fact]
    public async Task ABatch_TravelsPacked_FewMessagesForManyEvents()
    {
        await using NatsEventPublisher publisher = Publisher(partitions: 1);
        for (int n = 0; n < 1_000; n++)
        {
            publisher.Publish(Numbered(n), 0); // queued before the sender starts: one batch
        }

        publisher.Start();
        await Eventually.TrueAsync(() => publisher.Counts.Published == 1_000, "every event published", describe: () => $"{publisher.Counts}");
        await using var raw = new NatsConnection(new NatsOpts { Url = _server.Url });
        var stream = await new NATS.Client.JetStream.NatsJSContext(raw).GetStreamAsync(EventSubjects.DefaultStream);

        int packed = new EventPacker("expected", "test").Pack([.. Enumerable.Range(0, 1_000).Select(n => (Numbered(n), 0))]).Count;
        Assert.InRange(packed, (1_000 + EventPacker.MaxEvents - 1) / EventPacker.MaxEvents, 20);
        Assert.Equal(packed, (int)stream.Info.State.Messages);
        var sink = new AcknowledgingSink();
        var running = await RunAsync(Feed("p", [0], partitionCount: 1), sink);
        await Eventually.TrueAsync(() => sink.Events.Count >= 1_000, "every event", describe: () => $"{sink.Events.Count}");
        await StopAsync(running);
        Assert.Equal(Enumerable.Range(0, 1_000), sink.Events.Select(NumberOf));
    }

    [Fact]
    public async Task ABadLineInAMessage_IsCountedAndSkipped_AndItsOtherEventsArriveOnce()
    {
        await using (var raw = new NatsConnection(new NatsOpts { Url = _server.Url }))
        {
            var js = new NATS.Client.JetStream.NatsJSContext(raw);
            await EventSubjects.EnsureStreamAsync(js, EventSubjects.DefaultStream, EventSubjects.Prefix + ">", TimeSpan.FromHours(1), CancellationToken.None);
            string body = $"{Json(Numbered(1))}\nnot json\n{Json(Numbered(2))}\n";
            await js.PublishAsync("sigs.events.0.audit.test", Encoding.UTF8.GetBytes(body), headers: new NatsHeaders { [EventSubjects.SchemaHeader] = "1" });
        }

        var sink = new AcknowledgingSink();
        NatsFeed feed = Feed("l", [0], partitionCount: 1);
        var running = await RunAsync(feed, sink);
        await Eventually.TrueAsync(() => sink.Events.Count == 2 && feed.Counters.DecodeErrors == 1, "two events and one error", describe: () => $"{sink.Events.Count} events, {feed.Counters.DecodeErrors} errors");
        await Task.Delay(500); // the acknowledgement
        await StopAsync(running);
        var again = new AcknowledgingSink();
        running = await RunAsync(Feed("l", [0], partitionCount: 1), again);
        await Task.Delay(1_000);
        await StopAsync(running);

        Assert.Equal([1, 2], sink.Events.Select(NumberOf));
        Assert.Empty(again.Events); // acknowledged: not delivered again
        Assert.Contains(_logs.Lines, l => l.Contains("sigs.events.0.audit.test message 1 line 2:", StringComparison.Ordinal) && l.Contains("skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerDown_EventsWaitInTheSpool_AndArriveInOrderOnceItIsBack()
    {
        await using NatsEventPublisher publisher = Publisher(partitions: 1, spool: Path.Combine(_folder.Path, "spool"));
        publisher.Start();
        publisher.Publish(Numbered(0), 0);
        await Eventually.TrueAsync(() => publisher.Counts.Published == 1, "the first event");

        _server.Stop();
        for (int n = 1; n <= 1_500; n++)
        {
            publisher.Publish(Numbered(n), 0);
        }

        await Eventually.TrueAsync(() => publisher.Counts.Spooled > 0, "events in the spool", TimeSpan.FromSeconds(30));
        Assert.False(publisher.Counts.Delivering);
        await _server.RestartAsync(TimeSpan.Zero);
        // Stored once each: new, or already there. The client may send what it held while disconnected once it is back,
        // before the batch's resend from the spool, which the stream then keeps once and counts as duplicates; an
        // event whose held send and resend are both acknowledged is counted in both (a CI run saw 1,093 + 1,500), so
        // the wait is for the spool to drain, and the sink below checks that the stream holds each event once, in order.
        await Eventually.TrueAsync(
            () => publisher.Counts.Spooled == 0 && publisher.Counts.Published + publisher.Counts.Duplicates >= 1_501,
            "every event published",
            TimeSpan.FromSeconds(60),
            () => $"{publisher.Counts}");

        var sink = new AcknowledgingSink();
        var running = await RunAsync(Feed("s", [0], partitionCount: 1), sink);
        await Eventually.TrueAsync(() => sink.Events.Count >= 1_501, "every event", describe: () => $"{sink.Events.Count}");
        await Task.Delay(300);
        await StopAsync(running);

        Assert.Equal(Enumerable.Range(0, 1_501), sink.Events.Select(NumberOf));
        Assert.True(publisher.Counts.Delivering);
        Assert.Equal(0, publisher.Counts.Spooled);
        Assert.Empty(Directory.GetFiles(Path.Combine(_folder.Path, "spool")));
        Assert.Single(_logs.LinesContaining("cannot deliver"));
    }

    [Fact]
    public async Task ASpooledBatchChangedOnDisk_IsDroppedAndLogged_AndTheRestIsSent()
    {
        string spool = Path.Combine(_folder.Path, "spool");
        Directory.CreateDirectory(spool);
        File.WriteAllText(Path.Combine(spool, "00000000000000000001-0000000001.events"), "not a spooled batch\n");
        await using NatsEventPublisher publisher = Publisher(partitions: 1, spool: spool);
        publisher.Start();
        publisher.Publish(Numbered(1), 0);

        await Eventually.TrueAsync(() => publisher.Counts.Published == 1, "the new event sent after the bad entry", TimeSpan.FromSeconds(30), () => $"{publisher.Counts}");

        Assert.Equal(1, publisher.Counts.Dropped);
        Assert.Single(_logs.LinesContaining("cannot be read"));
        Assert.Empty(Directory.GetFiles(spool));
    }
}
