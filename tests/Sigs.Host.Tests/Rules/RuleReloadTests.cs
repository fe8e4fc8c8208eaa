using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Rules;

/// <summary>Rules in a pipeline: loaded beside the plugins, reloaded as a whole once their files changed and settled.</summary>
public sealed class RuleReloadTests : IDisposable
{
    private readonly TempFolder _plugins = new();
    private readonly TempFolder _rules = new();
    private readonly CapturingLoggerFactory _logs = new();

    public void Dispose()
    {
        _plugins.Dispose();
        _rules.Dispose();
    }

    private static string Rule(string id, string image) => $"""
        title: {id}
        id: {id}
        logsource: {"{"}product: linux, category: process_creation{"}"}
        detection:
          sel:
            Image: {image}
          condition: sel
        """;

    [Fact]
    public void AChangedFolder_IsReloadedOnceItSettled_AndTheIndexHasTheNewRules()
    {
        _rules.File("a.yml", Rule("rule-a", "/bin/a"));
        _rules.File("bad.yml", Rule("rule-bad", "x").Replace("Image", "Image|windash", StringComparison.Ordinal));
        var collected = new CollectingOutput();
        using var pipeline = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(_plugins.Path, [_rules.Path]), [collected], _logs, TimeProvider.System);
        Assert.Equal(["rule-a"], pipeline.Engine.Index.Runners.Select(r => r.Metadata.Id));
        Assert.Equal((1, 1), (pipeline.RuleCounts.Loaded, pipeline.RuleCounts.Refused));
        Assert.Null(pipeline.ReloadRulesIfChanged()); // nothing changed

        _rules.File("b.yml", Rule("rule-b", "/bin/b"));
        File.Delete(Path.Combine(_rules.Path, "bad.yml"));
        Assert.Null(pipeline.ReloadRulesIfChanged()); // changed: looked at once, not yet settled
        IReadOnlyList<SignatureRunner> retired = pipeline.ReloadRulesIfChanged()!;

        Assert.Equal(["rule-a"], retired.Select(r => r.Metadata.Id));
        pipeline.Publish(pipeline.Plugins!.BuildIndex());
        Assert.Equal(["rule-a", "rule-b"], pipeline.Engine.Index.Runners.Select(r => r.Metadata.Id).Order());
        Assert.Equal((2, 0), (pipeline.RuleCounts.Loaded, pipeline.RuleCounts.Refused));
        pipeline.Process(SigmaRuleTests.Exec("/bin/b"));
        pipeline.Findings.Flush();
        Assert.Equal(["rule-b"], collected.Findings.Select(f => f.Signature.Id));
    }

    [Fact]
    public void ARuleTurnedOffInTheConfiguration_DoesNotLoad()
    {
        _rules.File("a.yml", Rule("rule-a", "/bin/a") + "\n---\n" + Rule("rule-b", "/bin/b"));
        var config = new SigsConfig { Signatures = new Dictionary<string, SignatureSettings> { ["rule-b"] = new() { Enabled = false } } };
        using var pipeline = new DetectionPipeline(config, new PipelineSignatures.Folder(_plugins.Path, [_rules.Path]), [], _logs, TimeProvider.System);
        Assert.Equal(["rule-a"], pipeline.Engine.Index.Runners.Select(r => r.Metadata.Id));
        Assert.Single(_logs.LinesContaining("Rule rule-b does not run: signatures.rule-b.enabled is false"));
    }

    [Fact]
    public void ARuleWhoseEventsNoConfiguredFeedGives_IsRefusedNamingItsFileAndTheFeeds()
    {
        _rules.File("exec.yml", Rule("rule-exec", "/bin/a"));
        _rules.File("audit.yml", """
            title: audit
            id: rule-audit
            logsource: {product: kubernetes, service: audit}
            detection:
              sel:
                verb: create
              condition: sel
            """);
        FeedOptions auditOnly = FeedFactory.Parse("k8s-audit");

        using var audited = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(_plugins.Path, [_rules.Path], [auditOnly]), [], _logs, TimeProvider.System);
        Assert.Equal(["rule-audit"], audited.Engine.Index.Runners.Select(r => r.Metadata.Id));
        Assert.Equal((1, 1), (audited.RuleCounts.Loaded, audited.RuleCounts.Refused));
        string refusal = Assert.Single(_logs.LinesContaining("none of the configured feeds gives"));
        Assert.Contains(Path.Combine(_rules.Path, "exec.yml") + ":1: logsource 'product: linux, category: process_creation' has events (sched_process_exec)", refusal, StringComparison.Ordinal);
        Assert.Contains("(k8s-audit)", refusal, StringComparison.Ordinal);

        using var both = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(_plugins.Path, [_rules.Path], [auditOnly, FeedFactory.Parse("native")]), [], _logs, TimeProvider.System);
        Assert.Equal((2, 0), (both.RuleCounts.Loaded, both.RuleCounts.Refused));
        using var replayed = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(_plugins.Path, [_rules.Path]), [], _logs, TimeProvider.System);
        Assert.Equal((2, 0), (replayed.RuleCounts.Loaded, replayed.RuleCounts.Refused)); // no feeds named: any event may come
    }

    [Fact]
    public void ARuleWithAPluginSignaturesId_IsNotRun_AndSaysSo()
    {
        _rules.File("a.yml", Rule("TRC-1018", "/bin/a") + "\n---\n" + Rule("rule-b", "/bin/b"));
        _plugins.AddPlugin(System.IO.Path.Combine(RepoPaths.ShippedPlugins, "Sigs.Signatures.K8sCertTheft"));

        using var pipeline = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(_plugins.Path, [_rules.Path]), [], _logs, TimeProvider.System);

        Assert.Single(pipeline.Engine.Index.Runners, r => r.Metadata.Id == "TRC-1018" && r.Plugin.Name != "a.yml");
        Assert.Contains(pipeline.Engine.Index.Runners, r => r.Metadata.Id == "rule-b");
        Assert.Single(_logs.LinesContaining("Rule TRC-1018 (" + System.IO.Path.Combine(_rules.Path, "a.yml") + ") is not run: a plugin's signature has that id"));
    }
}
