using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sigs.Host.Rules;
using Sigs.Plugins;

namespace Sigs.Benchmarks;

/// <summary>
/// 150 Sigma rules of our own, generated in the shapes of SigmaHQ's Linux rules (an image's name, with or without
/// command-line texts, all of some texts, a regex behind an image, an allow-listed parent, file paths), evaluated
/// on one exec event: through the rule index, and one rule after another beside it as the floor to beat. Events:
/// one no rule can match, one whose texts a rule needs but that rule does not match (a near miss), one that fires.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class RuleBenchmarks
{
    public const int Rules = 150;

    private RuleIndex _index = null!;
    private readonly List<int> _matched = new(Rules);
    private SecurityEvent _noMatch = null!;
    private SecurityEvent _nearMiss = null!;
    private SecurityEvent _match = null!;

    [GlobalSetup]
    public void Setup()
    {
        string folder = Directory.CreateTempSubdirectory("sigs-rule-bench-").FullName;
        File.WriteAllText(Path.Combine(folder, "rules.yml"), Generate());
        RuleSet set = RuleSet.Load([folder], new Dictionary<string, IReadOnlyList<string>>());
        Directory.Delete(folder, recursive: true);
        if (set.Refusals.Count > 0 || set.Index.Rules.Count != Rules)
        {
            throw new InvalidOperationException($"{set.Index.Rules.Count} rules loaded: {string.Join("; ", set.Refusals)}");
        }

        _index = set.Index;
        _noMatch = Exec("/usr/bin/ls", "ls", "-la", "/home/user/projects");
        _nearMiss = Exec("/usr/bin/tool3", "tool3", "--version");
        _match = Exec("/usr/bin/tool3", "tool3", "--opt3-a", "/tmp/x");
        Console.WriteLine($"// {Rules} rules, {_index.Ungated} without a gate; matches: no-match {Count(_noMatch)}, near-miss {Count(_nearMiss)}, match {Count(_match)}");
    }

    private int Count(SecurityEvent e) => _index.Matching(e, _matched);

    private int OneByOne(SecurityEvent e)
    {
        int found = 0;
        foreach (CompiledRule rule in _index.Rules)
        {
            found += rule.Matches(e) ? 1 : 0;
        }

        return found;
    }

    [Benchmark]
    public int Indexed_NoMatch() => _index.Matching(_noMatch, _matched);

    [Benchmark]
    public int OneByOne_NoMatch() => OneByOne(_noMatch);

    [Benchmark]
    public int Indexed_NearMiss() => _index.Matching(_nearMiss, _matched);

    [Benchmark]
    public int OneByOne_NearMiss() => OneByOne(_nearMiss);

    [Benchmark]
    public int Indexed_Match() => _index.Matching(_match, _matched);

    [Benchmark]
    public int OneByOne_Match() => OneByOne(_match);

    private static SecurityEvent Exec(string executable, params string[] args) => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        Source = EventSources.Tracee,
        Name = EventNames.ProcessExec,
        Process = new ProcessInfo
        {
            HostPid = 4100, EntityId = 9, Name = Path.GetFileName(executable), Executable = executable, Args = args,
            ParentExecutable = "/usr/bin/bash", ParentArgs = ["bash"], Interactive = true,
        },
    };

    /// <summary>The rules, in the public rules' proportions: mostly an image and command-line texts.</summary>
    public static string Generate()
    {
        var yaml = new StringBuilder();
        for (int i = 0; i < Rules; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            string detection = (i % 10) switch
            {
                0 or 1 or 2 or 3 => $"  selection:\n    Image|endswith: ['/tool{n}', '/tool{n}-cli']\n    CommandLine|contains: [' --opt{n}-a', ' --opt{n}-b', ' -x{n} ']\n  condition: selection",
                4 or 5 => $"  selection:\n    Image|endswith: '/util{n}'\n  condition: selection",
                6 => $"  selection:\n    CommandLine|contains|all: ['secret{n}', '/dev/tcp/']\n  condition: selection",
                7 => $"  selection:\n    Image|endswith: '/agent{n}'\n    CommandLine|re: '--(key|token){n}=[A-Za-z0-9]+'\n  condition: selection",
                8 => $"  selection:\n    Image|endswith: ['/shell{n}', '/sh{n}']\n  filter_parent:\n    ParentImage|endswith: '/cron{n}'\n  condition: selection and not filter_parent",
                _ => $"  selection_img:\n    Image|startswith: '/opt/vendor{n}/'\n  selection_cmd:\n    CommandLine|contains: ['payload{n}', 'stage{n}']\n  condition: all of selection_*",
            };
            yaml.Append(CultureInfo.InvariantCulture, $"title: generated rule {n}\nid: bench-{n}\nlevel: medium\nlogsource:\n  product: linux\n  category: process_creation\ndetection:\n{detection}\n---\n");
        }

        return yaml.ToString();
    }
}
