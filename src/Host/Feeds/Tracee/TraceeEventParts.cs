using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>
/// What any of Tracee's wire forms says about one event (legacy JSON, <c>v1beta1.Event</c> as JSON or as
/// protobuf): each decoder reads its own form into these parts, and <see cref="ToContract"/> is the one mapping
/// to the contract.
/// </summary>
internal sealed record TraceeEventParts
{
    public required string Name { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required ProcessInfo Process { get; init; }

    public string? HostName { get; init; }

    public string? ContainerId { get; init; }

    public string? ContainerName { get; init; }

    public string? ContainerImage { get; init; }

    public string? PodName { get; init; }

    public string? Namespace { get; init; }

    public string? PodUid { get; init; }

    /// <summary>Every argument as text, for the event's argument map.</summary>
    public required IReadOnlyDictionary<string, string> Arguments { get; init; }

    /// <summary>The arguments a typed part is read from (<see cref="TraceeArguments.IsInterpreted"/>), as values.</summary>
    public required IReadOnlyDictionary<string, TraceeValue> Values { get; init; }

    public SecurityEvent ToContract()
    {
        string? containerId = JsonFields.NonEmpty(ContainerId);
        string? podName = JsonFields.NonEmpty(PodName);
        string? ns = JsonFields.NonEmpty(Namespace);
        string? podUid = JsonFields.NonEmpty(PodUid);
        return new SecurityEvent
        {
            Time = Time,
            Source = EventSources.Tracee,
            Name = Name,
            Origin = containerId is null ? EventOrigin.Host : EventOrigin.Container,
            HostName = HostName,
            Process = Name == EventNames.ProcessExec ? TraceeArguments.WithExecFacts(Process, Values) : Process,
            Container = containerId is null ? null : new ContainerInfo
            {
                Id = containerId,
                Name = JsonFields.NonEmpty(ContainerName),
                Image = JsonFields.NonEmpty(ContainerImage),
            },
            Kubernetes = podName is null && ns is null && podUid is null ? null : new KubernetesInfo { PodName = podName, Namespace = ns, PodUid = podUid },
            File = TraceeArguments.File(Name, Values),
            Arguments = Arguments,
        };
    }
}
