using System.Text.Json;
using Sigs.Host.Tests.TestSupport;
using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Tests.Monitoring;

/// <summary>
/// deploy/monitoring as Prometheus and Grafana read it: the alert rules pass <c>promtool check rules</c> and their
/// own <c>promtool test rules</c> cases (each alert firing and staying quiet), the prometheus-operator
/// PrometheusRule carries the very same groups, and the dashboard is a Grafana dashboard with its variables.
/// Which metric names they may use is <see cref="ExportedMetricsTests"/>' to check against real hosts.
/// </summary>
public sealed class MonitoringKitTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "deploy", "monitoring");

    [Fact]
    public async Task AlertRules_PassPromtoolCheck()
    {
        SigsProcess.Result result = await Command.RunAsync("promtool", ["check", "rules", "sigs-alerts.yaml"], Folder);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("SUCCESS", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertRules_PassTheirPromtoolUnitTests_AndEveryAlertIsTested()
    {
        SigsProcess.Result result = await Command.RunAsync("promtool", ["test", "rules", "sigs-alerts.test.yaml"], Folder);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        // Each alert has a case where it fires and one where it stays quiet.
        YamlMappingNode tests = AlertRuleFile.Load(Path.Combine(Folder, "sigs-alerts.test.yaml"));
        (string Alert, bool Fires)[] cases = [.. ((YamlSequenceNode)tests["tests"]).Children.Cast<YamlMappingNode>()
            .Where(test => test.Children.ContainsKey(new YamlScalarNode("alert_rule_test")))
            .SelectMany(test => ((YamlSequenceNode)test["alert_rule_test"]).Children.Cast<YamlMappingNode>())
            .Select(c => (Scalar(c, "alertname")!, c.Children.TryGetValue(new YamlScalarNode("exp_alerts"), out YamlNode? expected) && expected is YamlSequenceNode { Children.Count: > 0 }))];
        Assert.All(AlertRuleFile.Read(Path.Combine(Folder, "sigs-alerts.yaml")), rule =>
        {
            Assert.Contains((rule.Alert, true), cases);
            Assert.Contains((rule.Alert, false), cases);
        });
    }

    [Fact]
    public void PrometheusRule_HoldsTheSameGroupsAsTheRuleFile()
    {
        YamlMappingNode ruleFile = AlertRuleFile.Load(Path.Combine(Folder, "sigs-alerts.yaml"));
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Folder, "servicemonitor.yaml")))
        {
            stream.Load(reader);
        }

        YamlMappingNode[] documents = [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
        YamlMappingNode prometheusRule = Assert.Single(documents, d => Scalar(d, "kind") == "PrometheusRule");
        Assert.Contains(documents, d => Scalar(d, "kind") is "PodMonitor" or "ServiceMonitor");
        Assert.Equal(Canonical(ruleFile["groups"]), Canonical(((YamlMappingNode)prometheusRule["spec"])["groups"]));
    }

    [Fact]
    public void Dashboard_IsAGrafanaDashboard_WithDatasourceAndInstanceVariables_AndAQueryInEveryPanel()
    {
        JsonElement dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "grafana-dashboard.json"))).RootElement;

        Assert.Equal("sigs-overview", dashboard.GetProperty("uid").GetString());
        string[] variables = [.. dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()!)];
        Assert.Contains("datasource", variables);
        Assert.Contains("instance", variables);
        JsonElement[] panels = [.. dashboard.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row")];
        Assert.True(panels.Length >= 10, $"{panels.Length} panels");
        Assert.All(panels, panel => Assert.All(panel.GetProperty("targets").EnumerateArray(), target =>
            Assert.Contains("instance=~\"$instance\"", target.GetProperty("expr").GetString(), StringComparison.Ordinal)));
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) ? ((YamlScalarNode)value).Value : null;

    /// <summary>A YAML tree as one string, mappings in key order, so two spellings of the same data compare equal.</summary>
    private static string Canonical(YamlNode node) => node switch
    {
        YamlScalarNode scalar => JsonSerializer.Serialize(scalar.Value),
        YamlSequenceNode sequence => $"[{string.Join(',', sequence.Children.Select(Canonical))}]",
        YamlMappingNode mapping => $"{{{string.Join(',', mapping.Children.OrderBy(c => ((YamlScalarNode)c.Key).Value, StringComparer.Ordinal).Select(c => $"{Canonical(c.Key)}:{Canonical(c.Value)}"))}}}",
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };
}
