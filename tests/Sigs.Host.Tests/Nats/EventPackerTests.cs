using System.Text;
using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Host.Feeds.Nats;
using Sigs.Host.Nats;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Nats;

public sealed class EventPackerTests
{
    private static SecurityEvent Numbered(int n, int padding = 0) =>
        NatsEvents.ApiRequest($"pod-{n}", DateTimeOffset.UnixEpoch.AddSeconds(1_800_000_000 + n), $"a{n}" + new string('x', padding));

    private static List<SecurityEvent> Unpacked(IEnumerable<JetStreamMessage> messages)
    {
        var events = new List<SecurityEvent>();
        var problems = new List<(int, string)>();
        foreach (JetStreamMessage message in messages)
        {
            PackedEvents.Unpack(message.Body, events, problems);
        }

        Assert.Empty(problems);
        return events;
    }

    private static string Json(SecurityEvent e) => JsonSerializer.Serialize(e, ContractJson.Options);

    [Fact]
    public void Events_ArePackedPerPartition_InOrder_UpToTheEventLimit()
    {
        var packer = new EventPacker("run", "node-a");
        SecurityEvent[] events = [.. Enumerable.Range(0, 1_000).Select(n => Numbered(n))];

        List<JetStreamMessage> messages = packer.Pack([.. events.Select((e, i) => (e, i % 3))]);

        for (int partition = 0; partition < 3; partition++)
        {
            JetStreamMessage[] ofPartition = [.. messages.Where(m => m.Subject == EventSubjects.Of(partition, EventSubjects.RoleOf(events[0]), "node-a"))];
            SecurityEvent[] expected = [.. events.Where((_, i) => i % 3 == partition)];
            Assert.Equal(expected.Select(Json), Unpacked(ofPartition).Select(Json));
            Assert.Equal((expected.Length + EventPacker.MaxEvents - 1) / EventPacker.MaxEvents, ofPartition.Length);
            Assert.All(ofPartition, m => Assert.Equal(m.Count, Encoding.UTF8.GetString(m.Body).Split('\n').Length));
        }

        Assert.Equal(messages.Count, messages.Select(m => m.Id).Distinct().Count());
        Assert.All(messages, m => Assert.StartsWith("run-", m.Id, StringComparison.Ordinal));
        Assert.Equal(1_000, messages.Sum(m => m.Count));
    }

    [Fact]
    public void EachEvent_GoesOnItsRolesSubject_AndANodesPodEventsNameTheNode()
    {
        var packer = new EventPacker("run", "node-a");
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        SecurityEvent read = NatsEvents.TokenRead("web-1", now);
        SecurityEvent named = NatsEvents.TokenRead("web-2", now) with { Kubernetes = new KubernetesInfo { PodName = "web-2", NodeName = "node-z" } };
        SecurityEvent hostExec = read with { Kubernetes = null, Name = EventNames.ProcessExec };
        SecurityEvent request = NatsEvents.ApiRequest("web-1", now, "a");

        List<JetStreamMessage> messages = packer.Pack([(read, 1), (request, 1), (named, 1), (hostExec, 1)]);

        Assert.Equal(["sigs.events.1.node.node-a", "sigs.events.1.audit.node-a"], messages.Select(m => m.Subject));
        SecurityEvent[] fromNode = [.. Unpacked([messages[0]])];
        Assert.Equal(["node-a", "node-z"], fromNode.Take(2).Select(e => e.Kubernetes!.NodeName));
        Assert.Null(fromNode[2].Kubernetes);
        Assert.Null(Assert.Single(Unpacked([messages[1]])).Kubernetes!.NodeName);
    }

    [Theory]
    [InlineData("sigs.events.0.node.ip-10-0-0-1.ec2.internal", "node", "ip-10-0-0-1.ec2.internal")]
    [InlineData("sigs.events.12.audit.audit", "audit", "audit")]
    [InlineData("sigs.events.0", null, null)]
    [InlineData("sigs.events.0.node", null, null)]
    [InlineData("sigs.events.0.admin.x", null, null)]
    [InlineData("other.events.0.node.x", null, null)]
    public void OriginOf_ReadsRoleAndSender_FromTheSubject(string subject, string? role, string? sender)
    {
        (string Role, string Sender)? origin = EventSubjects.OriginOf(subject);

        Assert.Equal(role, origin?.Role);
        Assert.Equal(sender, origin?.Sender);
    }

    [Fact]
    public void AMessage_StaysWithinTheByteLimit_AndALargerEventGoesAlone()
    {
        var packer = new EventPacker("run", "node-a");
        const int Padding = EventPacker.MaxBytes * 2 / 5; // two fit beside a small one, a third does not
        SecurityEvent[] events = [Numbered(0), Numbered(1, Padding), Numbered(2, Padding), Numbered(3, Padding), Numbered(4, EventPacker.MaxBytes * 3 / 2), Numbered(5)];

        List<JetStreamMessage> messages = packer.Pack([.. events.Select(e => (e, 0))]);

        Assert.Equal(events.Select(Json), Unpacked(messages).Select(Json));
        Assert.All(messages.Where(m => m.Count > 1), m => Assert.InRange(m.Body.Length, 0, EventPacker.MaxBytes));
        Assert.Equal([3, 1, 1, 1], messages.Select(m => m.Count));
        Assert.True(messages[2].Body.Length > EventPacker.MaxBytes);
    }

    [Fact]
    public void NextBatch_ContinuesTheIds_AndStartsNewMessages()
    {
        var packer = new EventPacker("run", "node-a");
        List<JetStreamMessage> first = packer.Pack([(Numbered(0), 0)]);
        List<JetStreamMessage> second = packer.Pack([(Numbered(1), 0)]);

        Assert.Equal(["run-1"], first.Select(m => m.Id));
        Assert.Equal(["run-2"], second.Select(m => m.Id));
        Assert.Equal([Json(Numbered(1))], Unpacked(second).Select(Json));
    }
}
