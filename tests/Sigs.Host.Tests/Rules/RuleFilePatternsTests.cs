using CsCheck;
using Sigs.Host.Feeds;
using Sigs.Host.Rules;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Rules;

/// <summary>
/// A file rule tells the native probe where its files can be: the absolute paths its condition anchors, or
/// everything. Whatever the rule, a path it matches is inside what it asked to watch.
/// </summary>
public sealed class RuleFilePatternsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private IReadOnlyList<SigmaSignature> Load(string detection)
    {
        string folder = _folder.NewFolder();
        File.WriteAllText(Path.Combine(folder, "r.yml"), $"title: t\nid: f-1\nlogsource:\n  product: linux\n  category: file_access\ndetection:\n{detection}\n");
        RuleSet set = RuleSet.Load([folder], new Dictionary<string, IReadOnlyList<string>>());
        Assert.True(set.Refusals.Count == 0, string.Join("\n", set.Refusals));
        return [.. set.Signatures];
    }

    [Theory]
    [InlineData("  sel:\n    TargetFilename|startswith: /etc/kubernetes/pki/\n  condition: sel", "/etc/kubernetes/pki/*")]
    [InlineData("  sel:\n    TargetFilename: [/etc/shadow, '/root/.ssh/id_*']\n  condition: sel", "/etc/shadow* /root/.ssh/id_*")]
    [InlineData("  sel:\n    TargetFilename|startswith: /var/lib/kubelet/pki/\n  filter:\n    Image: /usr/bin/kubelet\n  condition: sel and not filter", "/var/lib/kubelet/pki/*")]
    [InlineData("  sel:\n    Image|endswith: /cat\n    file.path|startswith: /etc/\n  condition: sel", "/etc/*")]
    [InlineData("  sel:\n    TargetFilename|endswith: .key\n  condition: sel", "*")]
    [InlineData("  a:\n    TargetFilename|startswith: /etc/\n  b:\n    TargetFilename|contains: /secrets/\n  condition: a or b", "*")]
    [InlineData("  sel:\n    TargetFilename|startswith: '*/pki/'\n  condition: sel", "*")]
    [InlineData("  sel:\n    TargetFilename|startswith: /etc/\n  condition: not sel", "*")]
    public void FilePatterns_AreThePathsTheConditionAnchors(string detection, string patterns) =>
        Assert.Equal(patterns, string.Join(' ', Assert.Single(Load(detection)).FilePatterns));

    [Fact]
    public void TheExampleRules_WatchTheirFolders_NotTheWholeFileSystem()
    {
        RuleSet set = RuleSet.Load([Path.Combine(RepoPaths.Examples, "rules")], new Dictionary<string, IReadOnlyList<string>>());
        WatchPlan plan = WatchPlan.From(set.Signatures.Select(s => (s.Selectors, s.FilePatterns)));

        Assert.NotEmpty(plan.Folders);
        Assert.DoesNotContain("/", plan.Folders);
    }

    private static readonly Gen<string> Segment = Gen.String[Gen.Char["abE/.*?"], 0, 5];
    private static readonly string[] Modifiers = ["", "|startswith", "|contains", "|endswith", "|cased", "|startswith|all"];

    [Fact]
    public void APathARuleMatches_IsAlwaysInsideWhatItWatches()
    {
        Gen<string> value = Gen.Select(Gen.Bool, Segment).Select((absolute, rest) => (absolute ? "/" : "") + rest);
        Gen<string> condition = Gen.Select(Gen.Int[0, Modifiers.Length - 1], value.Array[1, 3]).Select((m, values) =>
            $"    TargetFilename{Modifiers[m]}:\n" + string.Concat(values.Select(v => $"      - '{v}'\n")));
        Gen.Select(condition, condition, Gen.Int[0, 2], Gen.String[Gen.Char["abE/."], 0, 8].Array[1, 10]).Sample(
            (a, b, form, paths) =>
            {
                string when = form switch { 0 => "a", 1 => "a or b", _ => "a and not b" };
                SigmaSignature rule = Assert.Single(Load($"  a:\n{a}  b:\n{b}  condition: {when}"));
                WatchPlan plan = WatchPlan.From([(rule.Selectors, rule.FilePatterns)]);
                foreach (string path in paths.Select(rest => "/" + rest)) // the probe reports absolute paths
                {
                    var open = new SecurityEvent { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Native, Name = EventNames.FileOpen, File = new FileEventInfo { Path = path, Flags = 0 } };
                    if (rule.Rule.Matches(open))
                    {
                        Assert.True(plan.Contains(System.Text.Encoding.UTF8.GetBytes(path)), $"{path} matches but the plan watches {string.Join(", ", plan.Folders)} (patterns {string.Join(", ", rule.FilePatterns)})");
                    }
                }
            },
            iter: 300);
    }
}
