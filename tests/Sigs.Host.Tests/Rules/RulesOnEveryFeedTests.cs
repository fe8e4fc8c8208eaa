using System.Text;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Rules;
using Sigs.Host.Tests.Conformance;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Rules;

/// <summary>
/// Rules on events as each feed format delivers them (the examples' Tracee legacy and v1beta1 JSON, Falco alerts,
/// the audit webhook's events and Sigs' own contract form; Tetragon's messages through its mapper): every exec
/// matches a process_creation rule naming its image and last argument, every open a file_access rule naming its
/// path, and neither matches once one character of the value differs.
/// </summary>
public sealed class RulesOnEveryFeedTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static IEnumerable<SecurityEvent> FeedEvents()
    {
        foreach (string line in Directory.EnumerateFiles(RepoPaths.Examples, "*.jsonl").SelectMany(File.ReadLines).Where(l => l.Length > 0))
        {
            foreach (SecurityEvent e in JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(line)).Events)
            {
                yield return e;
            }
        }

        var process = new TetragonJson.Proc(4242, "/usr/bin/cat", "/etc/kubernetes/pki/ca.key", DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000));
        var processes = new Sigs.Host.Feeds.Tetragon.TetragonProcesses(capacity: 8);
        foreach (string json in (string[])[TetragonJson.Exec(process, process.Start), TetragonJson.FilePermission(process, "/etc/kubernetes/pki/ca.key", 4, process.Start)])
        {
            yield return Sigs.Host.Feeds.Tetragon.TetragonEventMapper.Map(TetragonSensor.FromJson(json), processes);
        }
    }

    [Fact]
    public void ExecsAndOpens_OfEveryFeed_MatchRulesOnTheirOwnValues_AndNotOnOthers()
    {
        var sources = new HashSet<string>(StringComparer.Ordinal);
        foreach (SecurityEvent e in FeedEvents())
        {
            string? detection = e switch
            {
                { Name: EventNames.ProcessExec, Process: { Executable: { } image, Args: [.., { Length: > 0 } last] } } =>
                    $"category: process_creation\ndetection:\n  sel:\n    Image: '{Quoted(image)}'\n    CommandLine|endswith: '{Quoted(last)}'\n  condition: sel",
                { Name: EventNames.FileOpen, File.Path: { } path } =>
                    $"category: file_access\ndetection:\n  sel:\n    TargetFilename: '{Quoted(path)}'\n  condition: sel",
                _ => null,
            };
            if (detection is null)
            {
                continue;
            }

            Assert.True(Rule(detection).Matches(e), $"{e.Source} {e.Name}: {detection}");
            Assert.False(Rule(detection.Replace("'\n", "x'\n", StringComparison.Ordinal)).Matches(e), $"{e.Source} {e.Name} matched a changed value: {detection}");
            sources.Add(e.Source);
        }

        Assert.Equal([EventSources.Falco, EventSources.Sigs, EventSources.Tetragon, EventSources.Tracee], sources.Order(StringComparer.Ordinal));
    }

    private CompiledRule Rule(string logsourceAndDetection)
    {
        string folder = _folder.NewFolder();
        File.WriteAllText(Path.Combine(folder, "r.yml"), $"title: t\nid: t-1\nlogsource:\n  product: linux\n  {logsourceAndDetection}\n");
        RuleSet set = RuleSet.Load([folder], new Dictionary<string, IReadOnlyList<string>>());
        Assert.Empty(set.Refusals);
        return Assert.Single(set.Index.Rules);
    }

    /// <summary>A value inside single quotes, its wildcards escaped as Sigma escapes them.</summary>
    private static string Quoted(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("*", "\\*", StringComparison.Ordinal).Replace("?", "\\?", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal);
}
