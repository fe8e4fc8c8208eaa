using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Benchmarks;

/// <summary>
/// The 150 generated rules of <see cref="RuleBenchmarks"/> as the host runs them, each its own signature in the
/// engine (an empty plugin folder beside them): one exec event through <see cref="DetectionEngine.Dispatch"/>. Two
/// equal events take turns, so every dispatch works out the index's answer afresh.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class RuleDispatchBenchmarks
{
    private DetectionPipeline? _pipeline;
    private DetectionEngine _engine = null!;
    private string _folder = null!;
    private SecurityEvent[] _noMatch = null!;
    private SecurityEvent[] _match = null!;
    private int _turn;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("sigs-rule-dispatch-").FullName;
        string plugins = Directory.CreateDirectory(Path.Combine(_folder, "plugins")).FullName;
        string rules = Directory.CreateDirectory(Path.Combine(_folder, "rules")).FullName;
        File.WriteAllText(Path.Combine(rules, "rules.yml"), RuleBenchmarks.Generate());
        _pipeline = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(plugins, [rules]), [], NullLoggerFactory.Instance, TimeProvider.System);
        _engine = _pipeline.Engine;
        if (_engine.Index.Runners.Count != RuleBenchmarks.Rules)
        {
            throw new InvalidOperationException($"expected {RuleBenchmarks.Rules} rules as signatures, found {_engine.Index.Runners.Count}");
        }

        var noMatch = new SecurityEvent
        {
            Time = DateTimeOffset.UnixEpoch,
            Source = EventSources.Tracee,
            Name = EventNames.ProcessExec,
            Process = new ProcessInfo { HostPid = 4100, EntityId = 9, Name = "ls", Executable = "/usr/bin/ls", Args = ["ls", "-la", "/home/user/projects"], Interactive = true },
        };
        SecurityEvent match = noMatch with { Process = noMatch.Process with { Name = "tool3", Executable = "/usr/bin/tool3", Args = ["tool3", "--opt3-a", "/tmp/x"] } };
        _noMatch = [noMatch, noMatch with { }];
        _match = [match, match with { }];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pipeline?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Description = "exec selected by 150 rules, none matches")]
    public bool NoMatch() => _engine.Dispatch(_noMatch[_turn++ & 1]);

    [Benchmark(Description = "exec selected by 150 rules, one fires")]
    public bool Match() => _engine.Dispatch(_match[_turn++ & 1]);
}
