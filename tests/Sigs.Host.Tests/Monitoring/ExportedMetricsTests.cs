using System.Text.Json;
using System.Text.RegularExpressions;
using Sigs.Host.Tests.Nats;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Monitoring;

/// <summary>
/// /metrics of real hosts against Prometheus' conventions, and the monitoring kit in deploy/monitoring against what
/// they export: a node (a file feed, a file and an http output, a NATS forward) and a correlator (a NATS feed),
/// on a real nats-server with deploy/'s users. Every metric name the dashboard and the alert rules use must show
/// on one of them; a renamed metric fails here, not on an operator's empty panel.
/// </summary>
[Trait("Category", "Slow")]
[Collection(ClusterCollection.Name)]
public sealed partial class ExportedMetricsTests : IAsyncLifetime
{
    private SecureNatsHosts _hosts = null!;

    public async Task InitializeAsync() => _hosts = await SecureNatsHosts.StartAsync();

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    private SigsProcess Started(string name, string config) => _hosts.Start(_hosts.Folder.File($"{name}.yaml", config));

    [Fact]
    public async Task Metrics_FollowTheConventions_AndEveryNameTheDashboardAndAlertsUseIsExported()
    {
        int nodeAdmin = Ports.Free(), correlatorAdmin = Ports.Free(), downPort = Ports.Free();
        string events = _hosts.Folder.File("node.jsonl", string.Empty);
        Started("correlator", $"feeds:\n  - type: nats\n{_hosts.Nats.Keys("sigs-correlator-0")}    durable: sigs-correlator-0\n    partitions: [0]\n    partitionCount: 2\n" +
            $"outputs:\n  - type: file\n    path: {Path.Combine(_hosts.Folder.Path, "correlator.jsonl")}\nadmin:\n  listen: http://127.0.0.1:{correlatorAdmin}\n");
        Started("node", $"feeds:\n  - type: file\n    name: node\n    path: {events}\n    follow: true\n" +
            $"forward:\n  - type: nats\n{_hosts.Nats.Keys("sigs-node-node-a")}    sender: node-a\n    signatures: [SIGS-1003]\n    partitions: 2\n    spoolDir: {Path.Combine(_hosts.Folder.Path, "spool")}\n" +
            $"outputs:\n  - type: file\n    path: {Path.Combine(_hosts.Folder.Path, "node.findings.jsonl")}\n  - type: http\n    url: http://127.0.0.1:{downPort}/\n    timeoutSeconds: 1\n" +
            $"admin:\n  listen: http://127.0.0.1:{nodeAdmin}\n");
        using var http = new HttpClient();
        string Metrics(int port) => http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult();
        await Eventually.TrueAsync(() => HttpPost.Ready(http, $"http://127.0.0.1:{correlatorAdmin}/livez") && HttpPost.Ready(http, $"http://127.0.0.1:{nodeAdmin}/livez"), "both hosts up", TimeSpan.FromSeconds(60), Logs);
        await File.AppendAllLinesAsync(events, Directory.EnumerateFiles(RepoPaths.Examples, "*.jsonl").Order(StringComparer.Ordinal).SelectMany(File.ReadLines));

        // Signature times are sampled a few times a second: events keep coming until every name has shown.
        IReadOnlySet<string> used = KitMetricNames();
        string[] missing = [];
        string nodeMetrics = string.Empty;
        await Eventually.TrueAsync(
            () =>
            {
                File.AppendAllLines(events, [File.ReadLines(Path.Combine(RepoPaths.Examples, "01-node-tracee.jsonl")).First()]);
                nodeMetrics = Metrics(nodeAdmin);
                HashSet<string> exported = [.. ExportedNames(nodeMetrics), .. ExportedNames(Metrics(correlatorAdmin))];
                missing = [.. used.Where(name => !exported.Contains(name)).Order(StringComparer.Ordinal)];
                return missing.Length == 0 && new PrometheusSamples(nodeMetrics).Value("sigs_finding_latency_seconds_count") >= 10;
            },
            "every metric the monitoring kit uses exported by the node or the correlator",
            TimeSpan.FromSeconds(120),
            () => $"missing: {string.Join(", ", missing)}{Logs()}");

        Assert.Contains("sigs_signature_duration_seconds_bucket", used);
        Assert.Contains("sigs_nats_consumer_pending", used);
        var samples = new PrometheusSamples(nodeMetrics);
        Assert.DoesNotContain("otel_scope", nodeMetrics, StringComparison.Ordinal);
        Assert.Equal(1, samples.Value("sigs_build_info", ("sdk", "1.6")));
        Assert.Matches(@"sigs_build_info\{sdk=""1\.6"",version=""\d+\.\d+\.\d+[^""]*""\} 1", nodeMetrics);
        Assert.True(samples.Value("sigs_findings_total", ("signature", "TRC-1018"), ("severity", "high")) >= 3);
        Assert.Equal(2, samples.Value("sigs_findings_total", ("signature", "SIGS-1001"), ("severity", "low")));
        Assert.True(samples.Value("sigs_events_total", ("feed", "node"), ("event", "k8s_audit")) >= 3);
        Assert.Equal(0, samples.Value("sigs_drops_total", ("stage", "decode"), ("component", "node")));
        Assert.Equal(0, samples.Value("sigs_drops_total", ("stage", "findings"), ("component", "host")));
        Assert.True(samples.Value("dotnet_process_memory_working_set_bytes") > 0);
        Assert.Contains("# TYPE sigs_signature_duration_seconds histogram", nodeMetrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE sigs_finding_latency_seconds histogram", nodeMetrics, StringComparison.Ordinal);
        Assert.Empty(MixedLabelSets(nodeMetrics));
        Assert.DoesNotContain(nodeMetrics.Split('\n'), line => FeedLabel().Match(line) is { Success: true } feed && feed.Groups[1].Value.Contains('/', StringComparison.Ordinal));
    }

    /// <summary>The metric names (histograms by their <c>_bucket</c> series) in the dashboard's queries and the alert rules' expressions, <c>up</c> aside.</summary>
    internal static IReadOnlySet<string> KitMetricNames()
    {
        string folder = Path.Combine(RepoPaths.Root, "deploy", "monitoring");
        JsonElement dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "grafana-dashboard.json"))).RootElement;
        IEnumerable<string> queries = dashboard.GetProperty("panels").EnumerateArray()
            .Where(panel => panel.TryGetProperty("targets", out _))
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!);
        IEnumerable<string> alerts = AlertRuleFile.Read(Path.Combine(folder, "sigs-alerts.yaml")).Select(rule => rule.Expr);
        return queries.Concat(alerts).SelectMany(expr => MetricName().Matches(expr).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every sample's metric name in a text exposition.</summary>
    private static IEnumerable<string> ExportedNames(string exposition) =>
        exposition.Split('\n').Where(line => line.Length > 0 && line[0] != '#').Select(line => line[..line.IndexOfAny(['{', ' '])]);

    /// <summary>Metric families whose samples do not all carry the same label names (a histogram's <c>le</c> aside).</summary>
    private static IEnumerable<string> MixedLabelSets(string exposition) =>
        exposition.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => (Family: Regex.Replace(line[..line.IndexOfAny(['{', ' '])], "_(bucket|sum|count)$", string.Empty), Labels: string.Join(',', LabelName().Matches(line).Select(m => m.Groups[1].Value).Where(l => l != "le").Order(StringComparer.Ordinal))))
            .GroupBy(sample => sample.Family)
            .Where(family => family.Select(s => s.Labels).Distinct().Count() > 1)
            .Select(family => $"{family.Key}: {string.Join(" | ", family.Select(s => s.Labels).Distinct())}");

    private string Logs() => _hosts.Logs(20);

    [GeneratedRegex(@"\b(sigs|dotnet)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"feed=""([^""]*)""")]
    private static partial Regex FeedLabel();
}
