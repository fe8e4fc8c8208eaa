using Sigs.Plugins;
using Sigs.Plugins.Testing;

namespace Sigs.Signatures.Tests;

/// <summary>Builds contract events for signature tests. Defaults: interactive, in container c1 of pod web-1.</summary>
internal static class Ev
{
    public static readonly DateTimeOffset T0 = new(2025, 11, 2, 10, 0, 0, TimeSpan.Zero);

    public static SecurityEvent Open(
        string path,
        int? flags = OpenFlags.ReadOnly,
        string comm = "cat",
        bool? interactive = true,
        string? container = "c1",
        string? pod = "web-1",
        double at = 0) => Base(EventNames.FileOpen, comm, interactive, container, pod, at) with
        {
            File = new FileEventInfo { Path = path, Flags = flags },
        };

    public static SecurityEvent Exec(
        string[] argv,
        string? comm = null,
        string? executable = null,
        bool? interactive = true,
        string? container = "c1",
        string? pod = "web-1") => Base(EventNames.ProcessExec, comm ?? Path.GetFileName(argv[0]), interactive, container, pod, 0) with
        {
            Process = new ProcessInfo { HostPid = 100, EntityId = 1, Name = comm ?? Path.GetFileName(argv[0]), Args = argv, Executable = executable ?? $"/usr/bin/{Path.GetFileName(argv[0])}", Interactive = interactive },
        };

    public static SecurityEvent Rename(string oldPath, string newPath, string comm = "mv") =>
        Base(EventNames.FileRename, comm, interactive: null, container: null, pod: null, 0) with
        {
            File = new FileEventInfo { OldPath = oldPath, NewPath = newPath, Path = newPath },
        };

    public static SecurityEvent Audit(string[] pods, string stage = "ResponseComplete", double at = 0) => new()
    {
        Time = T0.AddSeconds(at),
        Source = EventSources.KubernetesAudit,
        Name = EventNames.KubernetesAudit,
        Origin = EventOrigin.Host,
        Audit = new AuditInfo { Stage = stage, Verb = "list", RequestingPods = pods, RequestUri = "/api/v1/secrets", ResponseCode = 200 },
    };

    /// <summary>Decodes a sensor JSON line with the host's decoder.</summary>
    public static SecurityEvent Decode(string json) => Assert.Single(TestEvents.FromJsonLines(json.ReplaceLineEndings(" ")));

    private static SecurityEvent Base(string name, string comm, bool? interactive, string? container, string? pod, double at) => new()
    {
        Time = T0.AddSeconds(at),
        Source = EventSources.Tracee,
        Name = name,
        Origin = container is null ? EventOrigin.Host : EventOrigin.Container,
        Process = new ProcessInfo { HostPid = 100, EntityId = 1, Name = comm, Interactive = interactive },
        Container = container is null ? null : new ContainerInfo { Id = container },
        Kubernetes = pod is null ? null : new KubernetesInfo { PodName = pod, Namespace = "shop" },
    };
}
