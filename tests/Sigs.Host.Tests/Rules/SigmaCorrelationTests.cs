using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Pipeline;
using Sigs.Host.Rules;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Rules;

/// <summary>
/// Sigma correlations run in a real pipeline: each type fires where its condition holds within the timespan, by
/// event time, once per group and window, and stays quiet otherwise; aliases join differently named fields, list
/// values group by each element, correlations nest, generate decides whether the rules also report, and state stays
/// within its bounds.
/// </summary>
public sealed class SigmaCorrelationTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch.AddSeconds(1_800_000_000);
    private readonly TempFolder _plugins = new();
    private readonly TempFolder _rules = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly List<DetectionPipeline> _pipelines = [];

    public void Dispose()
    {
        _pipelines.ForEach(p => p.Dispose());
        _plugins.Dispose();
        _rules.Dispose();
    }

    private const string Rules = """
        title: secret read
        id: secret-read
        name: secret_read
        logsource: {product: kubernetes, service: audit}
        detection:
          sel:
            verb: [get, list]
            objectRef.resource: secrets
          condition: sel
        ---
        title: token read
        id: token-read
        logsource: {product: linux, category: file_access}
        detection:
          sel:
            TargetFilename|endswith: /serviceaccount/token
          condition: sel
        ---
        title: exec of a shell
        id: shell
        logsource: {product: linux, category: process_creation}
        detection:
          sel:
            Image|endswith: [/sh, /bash]
          condition: sel
        """;

    private (DetectionPipeline Pipeline, CollectingOutput Output) Start(string correlation, SigsConfig? config = null)
    {
        _rules.File("rules.yml", Rules + "\n---\n" + correlation);
        var output = new CollectingOutput();
        var pipeline = new DetectionPipeline(config ?? new SigsConfig(), new PipelineSignatures.Folder(_plugins.Path, [_rules.Path]), [output], _logs, TimeProvider.System);
        _pipelines.Add(pipeline);
        return (pipeline, output);
    }

    private static string[] Run(DetectionPipeline pipeline, CollectingOutput output, params SecurityEvent[] events)
    {
        foreach (SecurityEvent e in events)
        {
            pipeline.Process(e);
        }

        pipeline.Findings.Flush();
        return [.. output.Findings.Select(f => $"{f.Signature.Id}@{(f.Event.Time - T0).TotalSeconds}")];
    }

    private static SecurityEvent SecretGet(double second, string user, string name, string verb = "get") => new()
    {
        Time = T0.AddSeconds(second),
        Source = EventSources.KubernetesAudit,
        Name = EventNames.KubernetesAudit,
        Audit = new AuditInfo { Verb = verb, User = user, Stage = "ResponseComplete", ObjectRef = new AuditObjectReference { Resource = "secrets", Name = name, Namespace = "shop" } },
    };

    private static SecurityEvent TokenRead(double second, string pod) => new()
    {
        Time = T0.AddSeconds(second),
        Source = EventSources.Native,
        Name = EventNames.FileOpen,
        Origin = EventOrigin.Container,
        Process = new ProcessInfo { HostPid = 10, Executable = "/bin/cat" },
        Kubernetes = new KubernetesInfo { PodName = pod, Namespace = "shop" },
        File = new FileEventInfo { Path = "/var/run/secrets/kubernetes.io/serviceaccount/token", Flags = 0 },
    };

    private static SecurityEvent Request(double second, params string[] pods) => new()
    {
        Time = T0.AddSeconds(second),
        Source = EventSources.KubernetesAudit,
        Name = EventNames.KubernetesAudit,
        Audit = new AuditInfo
        {
            Verb = "list", User = "system:serviceaccount:shop:web", Stage = "ResponseComplete",
            ObjectRef = new AuditObjectReference { Resource = "secrets" },
            UserExtra = new Dictionary<string, IReadOnlyList<string>> { ["authentication.kubernetes.io/pod-name"] = pods },
        },
    };

    private static string Correlation(string type, string rules, string condition, string timespan = "60s", string groupBy = "[user.username]", string more = "") => $"""
        title: c
        id: corr
        level: high
        correlation:
          type: {type}
          rules: {rules}
          group-by: {groupBy}
          timespan: {timespan}
        {condition}{more}
        """;

    [Fact]
    public void ValueCount_MoreThanTenSecretsByOneUserInAMinute_FiresOnce_AndStaysQuietOtherwise()
    {
        (DetectionPipeline pipeline, CollectingOutput output) = Start(Correlation("value_count", "[secret_read]", "  condition:\n    gt: 10\n    field: objectRef.name"));

        // Eleven gets of one secret, and ten distinct secrets: quiet.
        Assert.Empty(Run(pipeline, output, [.. Enumerable.Range(0, 11).Select(i => SecretGet(i, "mallory", "db"))]));
        Assert.Empty(Run(pipeline, output, [.. Enumerable.Range(0, 10).Select(i => SecretGet(20 + i, "alice", $"s{i}"))]));
        // Eleven distinct secrets, but spread over more than a minute: quiet.
        Assert.Empty(Run(pipeline, output, [.. Enumerable.Range(0, 11).Select(i => SecretGet(100 + (i * 10), "bob", $"s{i}"))]));
        // Eleven distinct secrets within a minute by one user fire at the eleventh; the twelfth starts over.
        string[] fired = Run(pipeline, output, [.. Enumerable.Range(0, 12).Select(i => SecretGet(300 + i, "eve", $"s{i}"))]);

        Assert.Equal(["corr@310"], fired);
        Finding finding = Assert.Single(output.Findings);
        Assert.Equal(Severity.High, finding.Signature.Severity);
        Assert.Equal("value_count", finding.Data["correlation"]);
        Assert.Equal("eve", ((IReadOnlyDictionary<string, object?>)finding.Data["group"]!)["user.username"]);
        Assert.Equal(11L, finding.Data["count"]);
        Assert.DoesNotContain(output.Findings, f => f.Signature.Id == "secret-read"); // generate defaults to false: the rule runs only through it
    }

    [Fact]
    public void EventCount_FiresOncePerGroupAndWindow_ByEventTime()
    {
        (DetectionPipeline pipeline, CollectingOutput output) = Start(Correlation("event_count", "[secret-read]", "  condition:\n    gte: 3", "10s"));

        string[] fired = Run(
            pipeline,
            output,
            SecretGet(0, "a", "x"), SecretGet(5, "a", "x"), SecretGet(20, "a", "x"), // the first two are out of the third's window
            SecretGet(21, "a", "x"), SecretGet(22, "a", "x"), // three within 10 s: fires
            SecretGet(23, "a", "x"), // starts over
            SecretGet(22, "b", "x"), SecretGet(23, "b", "x"));

        Assert.Equal(["corr@22"], fired);
    }

    [Fact]
    public void TemporalOrdered_PairsAReadWithALaterRequestFromThatPod_ThroughAnAliasAndAListValue()
    {
        string correlation = Correlation(
            "temporal_ordered",
            "[token-read, secret_read]",
            string.Empty,
            groupBy: "[pod]",
            more: "  aliases:\n    pod:\n      token-read: kubernetes.podName\n      secret_read: user.extra.authentication.kubernetes.io/pod-name\n  generate: true\n");
        (DetectionPipeline pipeline, CollectingOutput output) = Start(correlation.Replace("title: c\n", "title: c\n", StringComparison.Ordinal));

        string[] fired = Run(
            pipeline,
            output,
            Request(1, "web-1"), TokenRead(2, "web-1"), // a request before the read: no pair
            Request(70, "web-1"), // more than 60 s after the read: no pair
            TokenRead(100, "web-2"), Request(130, "other", "web-2"), // a request naming several pods pairs by each
            TokenRead(200, "web-3"), Request(195, "web-3")); // arrives after the read but happened before it: no pair

        Assert.Equal(["corr@130"], fired.Where(f => f.StartsWith("corr", StringComparison.Ordinal)));
        Assert.Contains("token-read@2", fired); // generate: true, so the rules also report on their own
        Finding finding = Assert.Single(output.Findings, f => f.Signature.Id == "corr");
        Assert.Equal("web-2", ((IReadOnlyDictionary<string, object?>)finding.Data["group"]!)["pod"]);
        Assert.Equal(2, ((Array)finding.Data["events"]!).Length);
    }

    [Fact]
    public void TemporalOrdered_ALateEventWithinTheWindow_CountsAsIfOnTime()
    {
        string correlation = Correlation(
            "temporal_ordered",
            "[token-read, secret_read]",
            string.Empty,
            groupBy: "[pod]",
            more: "  aliases:\n    pod:\n      token-read: kubernetes.podName\n      secret_read: user.extra.authentication.kubernetes.io/pod-name\n");
        (DetectionPipeline pipeline, CollectingOutput output) = Start(correlation);

        // The request arrives first, the read it follows arrives late (a forwarded file of earlier events): the same
        // finding, naming the same event, as in time order.
        Assert.Equal(["corr@10"], Run(pipeline, output, Request(10, "web-1"), TokenRead(5, "web-1")));
        Assert.Equal(EventNames.KubernetesAudit, Assert.Single(output.Findings).Event.Name);
    }

    [Fact]
    public void Temporal_EveryRuleInAnyOrder_AndCorrelationsOfCorrelations()
    {
        string correlations = """
            title: shell then secrets
            id: inner
            name: inner
            correlation:
              type: temporal
              rules: [shell, secret_read]
              group-by: [host]
              aliases:
                host:
                  shell: hostName
                  secret_read: audit.userAgent
              timespan: 30s
            ---
            title: twice
            id: outer
            correlation:
              type: event_count
              rules: [inner]
              group-by: [host]
              timespan: 10m
              condition:
                gte: 2
            """;
        (DetectionPipeline pipeline, CollectingOutput output) = Start(correlations);
        SecurityEvent Shell(double second) => SigmaRuleTests.Exec("/bin/sh") with { Time = T0.AddSeconds(second), HostName = "node-1" };
        SecurityEvent Secrets(double second) => SecretGet(second, "u", "s") with { Audit = SecretGet(second, "u", "s").Audit! with { UserAgent = "node-1" } };

        string[] fired = Run(pipeline, output, Secrets(0), Shell(5), Shell(100), Secrets(110));

        // The inner correlation fires at 5 and at 110 (named by the outer, which does not generate, it reports only through it).
        Assert.Equal(["outer@110"], fired);
        Assert.Equal(2L, Assert.Single(output.Findings).Data["count"]);
    }

    [Fact]
    public void ARuleThatIsOnlyANegation_CountsOnlyItsOwnLogsourcesEvents()
    {
        string correlation = """
            title: not ls
            id: not-ls
            name: not_ls
            logsource: {product: linux, category: process_creation}
            detection:
              ls:
                Image|endswith: /ls
              condition: not ls
            ---
            title: c
            id: corr
            correlation:
              type: event_count
              rules: [not_ls, secret_read]
              group-by: [source]
              timespan: 1m
              condition:
                gte: 2
            """;
        (DetectionPipeline pipeline, CollectingOutput output) = Start(correlation);

        // An audit event is no exec: "not ls" says nothing of it, so one secret read is one hit, not two.
        Assert.Empty(Run(pipeline, output, SecretGet(1, "u", "s")));
        Assert.Equal(["corr@3"], Run(pipeline, output, SecretGet(3, "u", "s")));
    }

    [Fact]
    public void State_StaysWithinItsBounds_AndEvictionsAreCounted()
    {
        var config = new SigsConfig { Rules = new RulesConfig { Correlation = new CorrelationConfig { MaxGroups = 3, MaxEventsPerGroup = 2 } } };
        (DetectionPipeline pipeline, CollectingOutput output) = Start(Correlation("event_count", "[secret_read]", "  condition:\n    gte: 2"), config);

        Run(pipeline, output, [.. Enumerable.Range(0, 10).Select(i => SecretGet(i, $"user-{i}", "x"))]);

        var signature = (SigmaCorrelationSignature)Assert.Single(pipeline.Engine.Index.Runners, r => r.Metadata.Id == "corr").Signature;
        Assert.Equal(3, signature.OpenGroups);
        Assert.Equal(7, signature.Evictions);
        Assert.Single(_logs.LinesContaining("correlation groups or events evicted so far"));
    }

    [Fact]
    public void AFloodOfOneValue_DoesNotPushOutTheOtherValuesAGroupKeeps()
    {
        var config = new SigsConfig { Rules = new RulesConfig { Correlation = new CorrelationConfig { MaxEventsPerGroup = 4 } } };
        (DetectionPipeline pipeline, CollectingOutput output) = Start(Correlation("value_count", "[secret_read]", "  condition:\n    gte: 4\n    field: objectRef.name"), config);

        string[] fired = Run(pipeline, output, [SecretGet(0, "u", "a"), SecretGet(1, "u", "b"), .. Enumerable.Range(2, 20).Select(i => SecretGet(i, "u", "x")), SecretGet(30, "u", "c")]);

        Assert.Equal(["corr@30"], fired);
    }

    [Fact]
    public void AHitTheWatermarkHasPassed_IsLate_CountedAndNotKept_AndAnAncientTimeIsNoFault()
    {
        (DetectionPipeline pipeline, CollectingOutput output) = Start(Correlation("event_count", "[secret_read]", "  condition:\n    gte: 2", "10s"));
        Run(pipeline, output, new SecurityEvent { Time = DateTimeOffset.MinValue, Source = EventSources.KubernetesAudit, Name = EventNames.KubernetesAudit, Audit = SecretGet(0, "old", "x").Audit });
        pipeline.Signal(new Signal(SignalKind.Tick, T0.AddSeconds(100)));

        string[] fired = Run(pipeline, output, SecretGet(50, "u", "x"), SecretGet(95, "u", "x"), SecretGet(96, "u", "x"));

        Assert.Equal(["corr@96"], fired); // the hit at 50 was late: it did not make a pair with the one at 95
        SignatureRunner runner = Assert.Single(pipeline.Engine.Index.Runners, r => r.Metadata.Id == "corr");
        Assert.Equal(1, ((SigmaCorrelationSignature)runner.Signature).Late);
        Assert.Equal(0, runner.Faults); // the event from year 1 came before any watermark: counted, no fault
        Assert.Single(_logs.LinesContaining("came after the watermark had passed their window"));
    }

    [Fact]
    public void ARuleNamedByIdWithoutGenerate_AndByNameWithGenerate_StillReportsOnItsOwn()
    {
        string correlations = """
            title: quiet
            id: quiet
            correlation:
              type: event_count
              rules: [secret-read]
              timespan: 1m
              condition: {gte: 5}
            ---
            title: loud
            id: loud
            correlation:
              type: event_count
              rules: [secret_read]
              timespan: 1m
              condition: {gte: 5}
              generate: true
            """;
        (DetectionPipeline pipeline, CollectingOutput output) = Start(correlations);

        Assert.Equal(["secret-read@1"], Run(pipeline, output, SecretGet(1, "u", "s")));
    }

    [Fact]
    public void CorrelationKeys_AreTheGroup_SoBothSidesMeetOnOneCorrelator()
    {
        string correlation = Correlation(
            "temporal_ordered",
            "[token-read, secret_read]",
            string.Empty,
            groupBy: "[pod]",
            more: "  aliases:\n    pod:\n      token-read: kubernetes.podName\n      secret_read: user.extra.authentication.kubernetes.io/pod-name\n");
        (DetectionPipeline pipeline, _) = Start(correlation);
        Signature signature = Assert.Single(pipeline.Engine.Index.Runners, r => r.Metadata.Id == "corr").Signature;

        Assert.Equal(["web-1"], signature.CorrelationKeys(TokenRead(1, "web-1")));
        Assert.Equal(["web-1", "web-2"], signature.CorrelationKeys(Request(2, "web-1", "web-2")));
        Assert.Empty(signature.CorrelationKeys(SecretGet(3, "u", "s"))); // no pod: it joins no group
    }

    [Theory]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: sometimes\n  rules: [shell]\n  timespan: 1m\n", "correlation type 'sometimes'")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [shell]\n  condition: {gte: 2}\n", "no 'correlation.timespan'")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [shell]\n  timespan: 1w\n  condition: {gte: 2}\n", "'correlation.timespan' '1w'")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [shell]\n  timespan: 9999999999999s\n  condition: {gte: 2}\n", "'correlation.timespan' '9999999999999s'")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [shell]\n  timespan: 99999999d\n  condition: {gte: 2}\n", "'correlation.timespan' '99999999d'")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [shell]\n  group_by: [host]\n  timespan: 1m\n  condition: {gte: 2}\n", "'correlation.group_by' is not a key of a correlation")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [shell, shell]\n  timespan: 1m\n  condition: {gte: 2}\n", "names a rule twice")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: temporal\n  rules: [secret-read, secret_read]\n  timespan: 1m\n", "names one rule twice (by id and by name)")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: value_count\n  rules: [shell]\n  timespan: 1m\n  condition: {gte: 2}\n", "needs 'field'")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [nowhere]\n  timespan: 1m\n  condition: {gte: 2}\n", "'nowhere' in correlation.rules is no loaded rule")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [shell]\n  group-by: [pod]\n  timespan: 1m\n  condition: {gte: 2}\n", "field 'pod' (for 'pod') is no field of rule 'shell'")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [shell]\n  timespan: 1m\n  condition: {lt: 2}\n", "only lt or lte")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [shell]\n  timespan: 1m\n  condition: {gte: 500}\n", "more than rules.correlation.maxEventsPerGroup (100)")]
    [InlineData("title: c\nid: c\ncorrelation:\n  type: temporal\n  rules: [shell, token-read]\n  aliases:\n    pod:\n      elsewhere: x\n  timespan: 1m\n", "alias 'pod' names 'elsewhere'")]
    [InlineData("title: c\nid: c\nname: a\ncorrelation:\n  type: event_count\n  rules: [b]\n  timespan: 1m\n  condition: {gte: 2}\n---\ntitle: d\nid: d\nname: b\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1m\n  condition: {gte: 2}\n", "cycle")]
    public void ABadCorrelation_IsRefusedWithItsFileLineAndReason(string correlation, string reason)
    {
        _rules.File("rules.yml", Rules + "\n---\n" + correlation);
        RuleSet set = RuleSet.Load([_rules.Path], new Dictionary<string, IReadOnlyList<string>>());

        Assert.Contains(set.Refusals, r => r.Contains(reason, StringComparison.Ordinal) && r.StartsWith(Path.Combine(_rules.Path, "rules.yml") + ":", StringComparison.Ordinal));
        Assert.Equal(3, set.Signatures.Count()); // the detection rules still load
    }

    [Fact]
    public void TheConfiguredBounds_DefaultToTheCorrelationsOwn()
    {
        var configured = new CorrelationConfig();
        Assert.Equal(CorrelationLimits.Default, new CorrelationLimits(configured.MaxGroups, configured.MaxEventsPerGroup));
    }
}
