using Sigs.Host.Enrichment;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>Builds the probe's contract events from what it knows of the process behind them.</summary>
internal static class NativeEvents
{
    private static readonly string HostName = Environment.MachineName;

    public static SecurityEvent Create(string name, ProcessFacts facts, PodNames? pod, DateTimeOffset time) => new()
    {
        Time = time,
        Source = EventSources.Native,
        Name = name,
        Origin = facts.ContainerId is null ? EventOrigin.Host : EventOrigin.Container,
        HostName = HostName,
        Process = facts.Process,
        Container = facts.ContainerId is null ? null : new ContainerInfo { Id = facts.ContainerId },
        Kubernetes = facts.PodUid is null ? null : new KubernetesInfo { PodUid = facts.PodUid, PodName = pod?.Name, Namespace = pod?.Namespace },
    };
}
