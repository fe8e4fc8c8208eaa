using System.Text.RegularExpressions;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.KubernetesAudit;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;
using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Tests;

/// <summary>The sensor-side files under deploy/ agree with what the code needs.</summary>
public partial class DeployFilesTests
{
    private static YamlNode Load(string relativePath)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", relativePath))));
        return yaml.Documents[0].RootNode;
    }

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;

    [GeneratedRegex(@"%([a-z0-9_.]+)")]
    private static partial Regex OutputField();

    [Fact]
    public void FalcoRules_EveryRuleOutputsTheFieldsTheMapperNeeds()
    {
        var rules = ((YamlSequenceNode)Load("falco/sigs-rules.yaml")).Children.Cast<YamlMappingNode>()
            .Where(item => item.Children.ContainsKey("rule")).ToList();
        var eventsCovered = new HashSet<string>();

        Assert.Equal(3, rules.Count);
        foreach (YamlMappingNode rule in rules)
        {
            string condition = Scalar(rule, "condition");
            string[] eventTypes = Regex.Match(condition, @"evt\.type in \(([^)]*)\)").Groups[1].Value.Split(',', StringSplitOptions.TrimEntries);
            string eventName = Assert.Single(eventTypes.Select(FalcoAlertDecoder.EventName).Distinct())!;
            eventsCovered.Add(eventName);
            HashSet<string> printed = [.. OutputField().Matches(Scalar(rule, "output")).Select(m => m.Groups[1].Value)];
            Assert.All(FalcoAlertDecoder.RequiredFields(eventName), field => Assert.Contains(field, printed));
        }

        Assert.Equal(new[] { EventNames.FileOpen, EventNames.FileRename, EventNames.ProcessExec }.Order(), eventsCovered.Order());
    }

    [Fact]
    public void TraceePolicy_SelectsExactlyTheEventsTheShippedSignaturesNeed()
    {
        YamlNode spec = ((YamlMappingNode)Load("tracee/sigs-policy.yaml"))["spec"];
        string[] policyEvents = [.. ((YamlSequenceNode)((YamlMappingNode)spec)["rules"]).Children.Select(rule => Scalar(rule, "event"))];
        using var pipeline = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [], new CapturingLoggerFactory(), TimeProvider.System);
        IEnumerable<string> needed = pipeline.Engine.Index.SelectedNames
            .Where(name => name != EventNames.KubernetesAudit)
            .Append(EventNames.ProcessExec) // the process table learns argv and terminals from execs
            .Append(EventNames.ProcessExit); // and forgets processes at exit

        Assert.Equal(needed.Distinct().Order(), policyEvents.Order());
        Assert.Equal("tracee.aquasec.com/v1beta1", Scalar(Load("tracee/sigs-policy.yaml"), "apiVersion"));
    }

    [Fact]
    public void AuditWebhook_ReachesTheCentralReceiver_WithBothCredentialsItChecks()
    {
        var kubeconfig = (YamlMappingNode)Load("kubernetes/audit-webhook.yaml");
        var cluster = (YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)kubeconfig["clusters"]).Children[0])["cluster"];
        var user = (YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)kubeconfig["users"]).Children[0])["user"];
        var server = new Uri(Scalar(cluster, "server"));
        var configMap = (YamlMappingNode)Load("kubernetes/base/sigs-configmap.yaml");
        Sigs.Host.Configuration.SigsConfig central = Sigs.Host.Configuration.ConfigLoader.Parse(
            Scalar(configMap["data"], "audit.yaml"), "audit.yaml", HostExtensions.Types);
        var feed = Assert.IsType<AuditWebhookFeedOptions>(Assert.Single(central.Feeds));
        var listen = new Uri(feed.Listen);

        Assert.Equal(("https", listen.Port, listen.AbsolutePath), (server.Scheme, server.Port, server.AbsolutePath));
        Assert.NotEmpty(Scalar(cluster, "certificate-authority"));
        Assert.NotEmpty(Scalar(user, "token"));
        Assert.NotEmpty(Scalar(user, "client-certificate"));
        Assert.NotEmpty(Scalar(user, "client-key"));
        Assert.NotNull(feed.BearerTokenFile);
        Assert.NotNull(feed.Tls?.ClientCaFile);
    }

    [Fact]
    public void AuditPolicy_KeepsTheStagesAndUsersSigs1003Needs()
    {
        var policy = (YamlMappingNode)Load("kubernetes/audit-policy.yaml");
        string[] omitted = [.. ((YamlSequenceNode)policy["omitStages"]).Children.Select(n => ((YamlScalarNode)n).Value!)];
        var serviceAccountRule = ((YamlSequenceNode)policy["rules"]).Children.Cast<YamlMappingNode>()
            .Single(rule => rule.Children.ContainsKey("userGroups"));

        Assert.Equal(["RequestReceived"], omitted);
        Assert.Equal("Metadata", Scalar(serviceAccountRule, "level"));
        Assert.Contains("system:serviceaccounts", ((YamlSequenceNode)serviceAccountRule["userGroups"]).Children.Select(n => ((YamlScalarNode)n).Value));
    }
}
