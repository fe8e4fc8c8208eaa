using CsCheck;
using Sigs.Host.Rules;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Rules;

/// <summary>
/// The rule index skips a rule only when the rule cannot match: on random rule sets (fields, modifiers, wildcards,
/// regexes, negations, quantifiers, lists) and random events, the rules it finds are exactly the ones found by
/// running every rule one by one.
/// </summary>
public sealed class RuleIndexPropertyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly Gen<string> Word = Gen.String[Gen.Char["abAB /-"], 1, 4];

    /// <summary>A value as a rule writes it: mostly plain texts, sometimes with wildcards or escapes.</summary>
    private static readonly Gen<string> Value = Gen.Frequency(
        (6, Word),
        (1, Word.Select(w => w + "*")),
        (1, Word.Select(w => "*" + w + "?")),
        (1, Word.Select(w => w + "\\*")));

    private static readonly string[] Fields = ["Image", "CommandLine", "ParentImage", "ParentCommandLine", "process.args", "process.name"];
    private static readonly string[] Modifiers = ["", "|contains", "|startswith", "|endswith", "|contains|all", "|cased", "|contains|cased", "|re", "|exists"];

    /// <summary>One field condition of a search: its field, and the YAML lines under the search.</summary>
    private static readonly Gen<(int Field, string Yaml)> FieldCondition =
        Gen.Select(Gen.Int[0, Fields.Length - 1], Gen.Int[0, Modifiers.Length - 1], Value.Array[1, 3]).Select((field, modifier, values) => (field,
            Modifiers[modifier] switch
            {
                "|exists" => $"    {Fields[field]}|exists: {(values.Length > 1 ? "true" : "false")}\n",
                "|re" => $"    {Fields[field]}|re: '{Escape(values[0]).Replace("*", ".*", StringComparison.Ordinal).Replace("?", ".", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal)}'\n",
                string m => $"    {Fields[field]}{m}:\n" + string.Concat(values.Select(v => $"      - '{Escape(v)}'\n")),
            }));

    /// <summary>A search: one or two conditions on different fields.</summary>
    private static readonly Gen<string> Search = FieldCondition.Array[1, 2].Select(conditions =>
        string.Concat(conditions.DistinctBy(c => c.Field).Select(c => c.Yaml)));

    private static readonly string[] Conditions = ["sel1", "sel1 and sel2", "sel1 or sel2", "sel1 and not sel2", "not sel1", "1 of sel*", "all of sel*", "(sel1 or sel2) and not sel3", "sel1 and (sel2 or sel3)"];

    private static readonly Gen<string> Rule =
        Gen.Select(Search.Array[3], Gen.Int[0, Conditions.Length - 1]).Select((searches, condition) =>
            "logsource:\n  product: linux\n  category: process_creation\ndetection:\n"
            + string.Concat(searches.Select((search, i) => $"  sel{i + 1}:\n" + search))
            + $"  condition: {Conditions[condition]}\n");

    private static readonly Gen<SecurityEvent> Event =
        Gen.Select(Word, Word.Array[0, 4], Gen.Bool, Word.Array[0, 3]).Select((image, args, hasParent, parentArgs) => new SecurityEvent
        {
            Time = DateTimeOffset.UnixEpoch,
            Source = EventSources.Tracee,
            Name = EventNames.ProcessExec,
            Process = new ProcessInfo
            {
                Executable = "/usr/bin/" + image,
                Name = image,
                Args = args.Length == 0 ? null : args,
                ParentExecutable = hasParent ? "/bin/" + image[..1] : null,
                ParentArgs = parentArgs.Length == 0 ? null : parentArgs,
            },
        });

    [Fact]
    public void TheIndex_FindsExactlyTheRulesThatMatchOneByOne()
    {
        Gen.Select(Rule.Array[1, 8], Event.Array[1, 12]).Sample(
            (rules, events) =>
            {
                string yaml = string.Join("---\n", rules.Select((rule, i) => $"title: r{i}\nid: r-{i}\n{rule}"));
                string folder = _folder.NewFolder(); // samples run on several threads
                File.WriteAllText(Path.Combine(folder, "rules.yml"), yaml);
                RuleSet set = RuleSet.Load([folder], new Dictionary<string, IReadOnlyList<string>>());
                Assert.True(set.Refusals.Count == 0, string.Join("\n", set.Refusals) + "\n" + yaml);
                var matched = new List<int>();
                foreach (SecurityEvent e in events)
                {
                    int[] oneByOne = [.. Enumerable.Range(0, set.Index.Rules.Count).Where(i => set.Index.Rules[i].Matches(e))];
                    set.Index.Matching(e, matched);
                    Assert.True(oneByOne.SequenceEqual(matched), $"one by one {string.Join(",", oneByOne)}, indexed {string.Join(",", matched)}: {e.Process}\n{yaml}");
                }
            },
            iter: 300);
    }

    [Fact]
    public void ARuleWithPlainTexts_IsGated_AndOneWithOnlyANegationIsNot()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "rules.yml"), """
            title: gated
            id: g-1
            logsource: { product: linux, category: process_creation }
            detection:
              sel:
                Image|endswith: [/curl, /wget]
                CommandLine|re: 'http.*'
              filter:
                ParentImage: /usr/bin/apt
              condition: sel and not filter
            ---
            title: ungated
            id: u-1
            logsource: { product: linux, category: process_creation }
            detection:
              filter:
                Image|endswith: /ls
              condition: not filter
            """);
        RuleIndex index = RuleSet.Load([_folder.Path], new Dictionary<string, IReadOnlyList<string>>()).Index;

        Assert.NotNull(index.Rules[0].Gate);
        Assert.Equal(1, index.Ungated);
        SecurityEvent ls = SigmaRuleTests.Exec("/usr/bin/ls", "-la");
        Assert.False(index.MayMatch(ls, 0)); // neither /curl nor /wget: the regex is not even run
        Assert.True(index.MayMatch(ls, 1));
        Assert.True(index.MayMatch(SigmaRuleTests.Exec("/usr/bin/CURL", "http://x"), 0)); // texts compare ignoring case
    }

    [Fact]
    public void ANullArgument_JoinsAsEmpty_AsTheRuleReadsIt()
    {
        // The contract's readers refuse a null in argv, but an event built in code may hold one: joined as string.Join does.
        File.WriteAllText(Path.Combine(_folder.Path, "rules.yml"), """
            title: joined
            id: j-1
            logsource: { product: linux, category: process_creation }
            detection:
              sel:
                CommandLine|contains: 'a  b'
              condition: sel
            """);
        RuleIndex index = RuleSet.Load([_folder.Path], new Dictionary<string, IReadOnlyList<string>>()).Index;
        SecurityEvent e = SigmaRuleTests.Exec("/bin/x") with { Process = new ProcessInfo { Executable = "/bin/x", Args = ["a", null!, "b"] } };

        Assert.True(index.Rules[0].Matches(e));
        Assert.Equal(1, index.Matching(e, []));
    }

    private static string Escape(string value) => value.Replace("'", "''", StringComparison.Ordinal);
}
