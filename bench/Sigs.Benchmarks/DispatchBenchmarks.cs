using System.Reflection;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Benchmarks;

/// <summary>
/// Cost of one event through the engine with every shipped signature loaded from its plugin folder, as the host
/// loads them: an event no signature selects, events selected but not matching, and one that fires.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private DetectionPipeline? _pipeline;
    private DetectionEngine _engine = null!;
    private SecurityEvent _unselected = null!;
    private SecurityEvent _openNotMatching = null!;
    private SecurityEvent _execNotMatching = null!;
    private SecurityEvent _matching = null!;

    [GlobalSetup]
    public void Setup()
    {
        string folder = typeof(DispatchBenchmarks).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PluginFolder").Value!;
        _pipeline = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(folder), [], NullLoggerFactory.Instance, TimeProvider.System);
        _engine = _pipeline.Engine;
        if (_engine.Index.Runners.Count != 5)
        {
            throw new InvalidOperationException($"expected the 5 shipped signatures in {folder}, found {_engine.Index.Runners.Count}");
        }

        var process = new ProcessInfo { HostPid = 4100, EntityId = 9, Name = "cat", Executable = "/usr/bin/cat", Args = ["cat", "/app/config.yaml"], Interactive = true };
        var inContainer = new SecurityEvent
        {
            Time = DateTimeOffset.UnixEpoch,
            Source = EventSources.Tracee,
            Name = EventNames.FileOpen,
            Origin = EventOrigin.Container,
            Process = process,
            Container = new ContainerInfo { Id = "3f2a9c8e1b7d" },
            Kubernetes = new KubernetesInfo { PodName = "web-1", Namespace = "shop" },
            File = new FileEventInfo { Path = "/app/config.yaml", Flags = OpenFlags.ReadOnly },
        };
        _unselected = inContainer with { Name = "sched_process_fork" };
        _openNotMatching = inContainer;
        _execNotMatching = inContainer with { Name = EventNames.ProcessExec, File = null };
        _matching = inContainer with { File = new FileEventInfo { Path = "/etc/kubernetes/pki/apiserver.key", Flags = OpenFlags.ReadOnly } };
    }

    [GlobalCleanup]
    public void Cleanup() => _pipeline?.Dispose();

    [Benchmark(Description = "unselected event (no signature selects it)")]
    public bool Unselected() => _engine.Dispatch(_unselected);

    [Benchmark(Description = "file open selected by 4 signatures, none matches")]
    public bool OpenNotMatching() => _engine.Dispatch(_openNotMatching);

    [Benchmark(Description = "exec selected by 3 signatures, none matches")]
    public bool ExecNotMatching() => _engine.Dispatch(_execNotMatching);

    [Benchmark(Description = "file open that fires TRC-1018")]
    public bool Matching() => _engine.Dispatch(_matching);
}
