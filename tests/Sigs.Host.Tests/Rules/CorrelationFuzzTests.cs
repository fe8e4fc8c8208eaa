using CsCheck;
using Sigs.Host.Rules;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Rules;

/// <summary>
/// The correlation reader and compiler on random documents (types, references, group-by fields, timespans,
/// conditions and aliases, valid and not): a document loads or is refused with its file and line, never throws, and
/// a loaded correlation takes events without failing.
/// </summary>
public sealed class CorrelationFuzzTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly string[] Types = ["event_count", "value_count", "temporal", "temporal_ordered", "sometimes", "", "[a]"];
    private static readonly string[] References = ["a", "b", "c", "nowhere", "'1'", "[x]"];
    private static readonly string[] Fields = ["user.username", "kubernetes.podName", "verb", "nope", "audit.userExtra.k", "{}"];
    private static readonly string[] Timespans = ["1s", "60s", "5m", "1h", "2d", "8d", "0s", "-1m", "m", "1w", "99999999999999999999s", "[1]"];
    private static readonly string[] Conditions = ["gte: 2", "gt: 0", "lt: 3", "eq: 1", "gte: 99999", "gte: x", "field: verb", "gte: -1", "lte: 2\n    gte: 1", "{}", "- 1"];

    private static readonly Gen<string> Document =
        Gen.Select(Gen.Int[0, Types.Length - 1], Gen.Int[0, References.Length - 1].Array[0, 4], Gen.Int[0, Fields.Length - 1].Array[0, 3], Gen.Int[0, Timespans.Length - 1], Gen.Int[0, Conditions.Length], Gen.Bool, Gen.Bool)
            .Select((type, references, fields, timespan, condition, aliased, generate) =>
                $"title: c\nid: c-1\nname: c\ncorrelation:\n  type: {Types[type]}\n"
                + $"  rules: [{string.Join(", ", references.Select(r => References[r]))}]\n"
                + $"  group-by: [{string.Join(", ", fields.Select(f => Fields[f]))}]\n"
                + $"  timespan: {Timespans[timespan]}\n"
                + (condition < Conditions.Length ? $"  condition:\n    {Conditions[condition]}\n" : "")
                + (aliased ? "  aliases:\n    user.username:\n      a: user.username\n      b: kubernetes.podName\n" : "")
                + $"  generate: {(generate ? "true" : "maybe")}\n");

    private const string Rules = """
        title: a
        id: a-1
        name: a
        logsource: {product: kubernetes, service: audit}
        detection:
          sel:
            verb: get
          condition: sel
        ---
        title: b
        id: b-1
        name: b
        logsource: {product: linux, category: file_access}
        detection:
          sel:
            TargetFilename|startswith: /etc/
          condition: sel
        """;

    [Fact]
    public void ARandomCorrelation_LoadsOrIsRefusedByLine_AndALoadedOneTakesEvents()
    {
        SecurityEvent[] events =
        [
            new() { Time = DateTimeOffset.UnixEpoch, Source = EventSources.KubernetesAudit, Name = EventNames.KubernetesAudit, Audit = new AuditInfo { Verb = "get", User = "u" } },
            new() { Time = DateTimeOffset.UnixEpoch.AddSeconds(1), Source = EventSources.Native, Name = EventNames.FileOpen, Kubernetes = new KubernetesInfo { PodName = "p" }, File = new FileEventInfo { Path = "/etc/x" } },
        ];
        Gen.Select(Document, Document).Sample(
            (first, second) =>
            {
                string folder = _folder.NewFolder();
                string file = Path.Combine(folder, "r.yml");
                File.WriteAllText(file, Rules + "\n---\n" + first + "---\n" + second.Replace("id: c-1\nname: c\n", "id: c-2\nname: d\n", StringComparison.Ordinal));
                RuleSet set = RuleSet.Load([folder], new Dictionary<string, IReadOnlyList<string>>());

                Assert.All(set.Refusals, r => Assert.StartsWith(file + ":", r, StringComparison.Ordinal));
                Assert.Equal(2, set.Index.Rules.Count); // the detection rules load whatever the correlations are
                foreach (SigmaCorrelationSignature correlation in set.Correlations)
                {
                    foreach (SecurityEvent e in events)
                    {
                        _ = correlation.CorrelationKeys(e);
                    }
                }
            },
            iter: 400);
    }
}
