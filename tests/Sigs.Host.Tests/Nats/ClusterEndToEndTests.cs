using System.Net;
using System.Text;
using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Nats;

/// <summary>
/// A cluster as deployed: two nodes and the audit receiver forward to JetStream, two correlators own a partition
/// each. All are real <c>sigs run</c> processes and a real <c>nats-server -js</c> with TLS and the users and
/// permissions of deploy/nats/sigs-users.sh, each process logging in as its role; a correlator is killed with SIGKILL
/// and the server restarted in the middle.
/// </summary>
[Trait("Category", "Slow")]
[Collection(ClusterCollection.Name)]
public sealed class ClusterEndToEndTests : IAsyncLifetime
{
    private SecureNatsHosts _hosts = null!;

    public async Task InitializeAsync() => _hosts = await SecureNatsHosts.StartAsync();

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    /// <summary>SIGS-1003 written as a Sigma correlation (examples/rules), run beside the C# signature everywhere.</summary>
    private const string CorrelationId = "3c0f6d2e-5b8a-4f1e-9a57-1003a0000002";

    private static readonly string Rules = $"rules:\n  dirs: [{Path.Combine(RepoPaths.Examples, "rules", "service-account-token-api-request.yml")}]\n";

    /// <summary>A forward that logs in as <paramref name="user"/> and sends as <paramref name="sender"/>.</summary>
    private string Forward(string user, string sender, string spool) =>
        $"forward:\n  - type: nats\n{_hosts.Nats.Keys(user)}    sender: {sender}\n    signatures: [SIGS-1003, {CorrelationId}]\n    partitions: 2\n    spoolDir: {spool}\n";

    private SigsProcess Node(string name, string feed, string admin = "admin:\n  enabled: false\n")
    {
        (string user, string sender) = name == "audit" ? ("sigs-audit", "audit") : ($"sigs-node-{name}", name);
        string config = _hosts.Folder.File($"{name}.yaml",
            $"feeds:\n{feed}{Forward(user, sender, Path.Combine(_hosts.Folder.Path, $"{name}-spool"))}" +
            $"outputs:\n  - type: file\n    path: {Path.Combine(_hosts.Folder.Path, $"{name}-findings.jsonl")}\n{admin}{Rules}");
        return Started(config);
    }

    private SigsProcess Correlator(int partition, string admin = "admin:\n  enabled: false\n")
    {
        string config = _hosts.Folder.File($"correlator-{partition}.yaml",
            $"feeds:\n  - type: nats\n{_hosts.Nats.Keys($"sigs-correlator-{partition}")}    durable: sigs-correlator-{partition}\n    partitions: [{partition}]\n    partitionCount: 2\n    latenessSeconds: 10\n" +
            $"outputs:\n  - type: file\n    path: {CorrelatorFindings(partition)}\n{admin}{Rules}");
        return Started(config);
    }

    private SigsProcess Started(string config) => _hosts.Start(config);

    private string CorrelatorFindings(int partition) => Path.Combine(_hosts.Folder.Path, $"correlator-{partition}-findings.jsonl");

    /// <summary>SIGS-1003 findings of both correlators: (pod, finding id).</summary>
    private List<(string Pod, string Id)> SequenceFindings() => CorrelatorFindingsOf("SIGS-1003", data => data.GetProperty("pod"));

    /// <summary>The Sigma correlation's findings of both correlators: (pod, finding id).</summary>
    private List<(string Pod, string Id)> CorrelationFindings() => CorrelatorFindingsOf(CorrelationId, data => data.GetProperty("group").GetProperty("pod"));

    private List<(string Pod, string Id)> CorrelatorFindingsOf(string signature, Func<JsonElement, JsonElement> pod) =>
        [.. ((int[])[0, 1]).Select(CorrelatorFindings).Where(File.Exists).SelectMany(CompleteLines)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(f => f.GetProperty("signature").GetProperty("id").GetString() == signature)
            .Select(f => (pod(f.GetProperty("data")).GetString()!, f.GetProperty("id").GetString()!))];

    /// <summary>Every process's log lines so far, for a failure message.</summary>
    private string Logs() => _hosts.Logs();

    /// <summary>The lines a writer has finished (the last may be half written).</summary>
    private static IEnumerable<string> CompleteLines(string file)
    {
        string text = File.ReadAllText(file);
        return text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static void Append(string file, SecurityEvent securityEvent) =>
        File.AppendAllText(file, JsonSerializer.Serialize(securityEvent, ContractJson.Options) + "\n");

    [Fact]
    public async Task TokenReadsOnTwoNodes_AndRequestsAtTheAuditReceiver_FireOncePerPod_ThroughAKilledCorrelatorAndARestartedServer()
    {
        string nodeA = _hosts.Folder.File("node-a.jsonl", ""), nodeB = _hosts.Folder.File("node-b.jsonl", "");
        int auditPort = Ports.Free(), adminPort = Ports.Free(), adminPortB = Ports.Free(), adminPortAudit = Ports.Free();
        string auditUrl = $"http://127.0.0.1:{auditPort}/k8s-audit";
        // Correlators first: they create the stream, which no node may.
        Correlator(0);
        SigsProcess correlator1 = Correlator(1);
        Node("node-a", $"  - type: file\n    path: {nodeA}\n    follow: true\n", $"admin:\n  listen: http://127.0.0.1:{adminPort}\n");
        Node("node-b", $"  - type: file\n    path: {nodeB}\n    follow: true\n", $"admin:\n  listen: http://127.0.0.1:{adminPortB}\n");
        Node("audit", $"  - type: k8s-audit\n    listen: {auditUrl}\n", $"admin:\n  listen: http://127.0.0.1:{adminPortAudit}\n");
        using var http = new HttpClient();

        // Events start once every node is ready (its feed up, its forward connected) and both correlators consume:
        // on a loaded machine a node's first stream check can take seconds, longer than the correlators' lateness.
        int[] nodePorts = [adminPort, adminPortB, adminPortAudit];
        await Eventually.TrueAsync(
            () => nodePorts.All(port => HttpPost.Ready(http, $"http://127.0.0.1:{port}/healthz")) && _hosts.Processes.Take(2).All(c => c.StderrSoFar.Any(l => l.Contains("consuming partitions", StringComparison.Ordinal))),
            "every node ready and both correlators consuming",
            TimeSpan.FromSeconds(90),
            Logs);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        string Pod(int n) => $"web-{n}";
        string NodeAMetrics()
        {
            try
            {
                return "\n--- node-a forward: " + string.Join("\n", http.GetStringAsync($"http://127.0.0.1:{adminPort}/metrics").GetAwaiter().GetResult().Split('\n').Where(l => l.StartsWith("sigs_forward", StringComparison.Ordinal) || l.StartsWith("sigs_events_total", StringComparison.Ordinal)));
            }
            catch (HttpRequestException ex)
            {
                return $"\n--- node-a metrics: {ex.Message}";
            }
        }

        // Tokens are bound to the node their pod runs on, as the API server says (Kubernetes 1.30 and later); pod 24's
        // read is on node a, and its request is made with a token bound to node b: not the same pod instance.
        string NodeOf(int n) => n is >= 10 and < 20 or 24 ? "node-b" : "node-a";
        string EventList(IEnumerable<int> pods, int secondsAfter) =>
            $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{{string.Join(',', pods.Select(n => NatsEvents.AuditJson(Pod(n), now.AddSeconds(secondsAfter + (n * 0.01)), $"req-{n}", NodeOf(n))))}}]}""";

        // Pods 0-9 on node a, 10-19 on node b: their token reads now, the requests for 0-9 a little later.
        // Pods 20-23: the request reaches the receiver before the read reaches its node (order by event time).
        await Eventually.TrueAsync(() => HttpPost.Succeeds(http, auditUrl, EventList(Enumerable.Range(20, 5), 4)), "the audit receiver", TimeSpan.FromSeconds(30));
        for (int n = 0; n < 25; n++)
        {
            bool onB = n is >= 10 and < 20;
            Append(onB ? nodeB : nodeA, NatsEvents.TokenRead(Pod(n), now.AddSeconds(n * 0.01), onB ? "node-b" : "node-a"));
        }

        Assert.True(HttpPost.Succeeds(http, auditUrl, EventList(Enumerable.Range(0, 10), 5)));
        await Eventually.TrueAsync(() => SequenceFindings().Count == 14 && CorrelationFindings().Count == 15, "the first fourteen sequence findings (and fifteen of the correlation, which does not check nodes)", TimeSpan.FromSeconds(60), () => string.Join(", ", SequenceFindings().Select(f => f.Pod)) + Logs() + NodeAMetrics());
        await Task.Delay(1_000); // their acknowledgements

        // A correlator dies without a word, the server restarts, and the second halves for pods 10-19 come meanwhile.
        correlator1.Signal("KILL");
        await correlator1.WaitAsync(TimeSpan.FromSeconds(10));
        await _hosts.Nats.Server.RestartAsync(TimeSpan.FromSeconds(1));
        Assert.True(HttpPost.Succeeds(http, auditUrl, EventList(Enumerable.Range(10, 10), 6)));
        await Task.Delay(1_000);
        Correlator(1);
        await Eventually.TrueAsync(() => SequenceFindings().Count >= 24 && CorrelationFindings().Count >= 25, "a finding for every pod", TimeSpan.FromSeconds(90), () => string.Join(", ", SequenceFindings().Select(f => f.Pod).Order()));
        await Task.Delay(4_000); // anything doubled would show by now

        List<(string Pod, string Id)> findings = SequenceFindings();
        Assert.Equal(Enumerable.Range(0, 24).Select(Pod).Order(), findings.Select(f => f.Pod).Order());
        Assert.Equal(24, findings.Select(f => f.Id).Distinct().Count());
        // The correlation finds what SIGS-1003 finds, and pod 24 too: a group-by cannot say "the same node when both name one".
        List<(string Pod, string Id)> correlated = CorrelationFindings();
        Assert.Equal(Enumerable.Range(0, 25).Select(Pod).Order(), correlated.Select(f => f.Pod).Order());
        Assert.Equal(25, correlated.Select(f => f.Id).Distinct().Count());
        Assert.Empty(File.Exists(Path.Combine(_hosts.Folder.Path, "node-a-findings.jsonl")) ? File.ReadAllLines(Path.Combine(_hosts.Folder.Path, "node-a-findings.jsonl")).Where(l => l.Contains("SIGS-1003", StringComparison.Ordinal)) : []);
        string metrics = await http.GetStringAsync($"http://127.0.0.1:{adminPort}/metrics");
        Assert.Contains("sigs_forward_published_total", metrics, StringComparison.Ordinal);
        Assert.Equal("ok\nrules: 1 loaded, 0 refused\n", await http.GetStringAsync($"http://127.0.0.1:{adminPort}/healthz"));
    }
}

/// <summary>Seven processes on two cores: the cluster test runs alone, so neither it nor the others starve.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
