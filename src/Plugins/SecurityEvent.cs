using System.Text.Json.Serialization;

namespace Sigs.Plugins;

/// <summary>
/// One security event in the shared contract. Every feed (Tracee, Falco, Kubernetes audit, the native probe,
/// replayed files) maps its own wire format onto this type before any signature sees it.
/// </summary>
/// <remarks>
/// Instances are immutable and may be shared between signatures and threads. A part that the source did not
/// report is <see langword="null"/>: unknown stays unknown.
/// </remarks>
public sealed record SecurityEvent
{
    /// <summary>When the event happened, as the source reported it.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The feed that produced the event; see <see cref="EventSources"/>.</summary>
    public required string Source { get; init; }

    /// <summary>The event name in Tracee's vocabulary; see <see cref="EventNames"/>.</summary>
    public required string Name { get; init; }

    /// <summary>Whether the event happened on the host or inside a container.</summary>
    public EventOrigin Origin { get; init; }

    /// <summary>The node's host name.</summary>
    public string? HostName { get; init; }

    /// <summary>The process that caused the event.</summary>
    public ProcessInfo? Process { get; init; }

    /// <summary>The container the process runs in, for <see cref="EventOrigin.Container"/> events.</summary>
    public ContainerInfo? Container { get; init; }

    /// <summary>The Kubernetes pod the event belongs to.</summary>
    public KubernetesInfo? Kubernetes { get; init; }

    /// <summary>The file touched by a file event.</summary>
    public FileEventInfo? File { get; init; }

    /// <summary>The Kubernetes audit record, for <see cref="EventNames.KubernetesAudit"/> events.</summary>
    public AuditInfo? Audit { get; init; }

    /// <summary>The source's original named arguments, scalars as text and structures as JSON text.</summary>
    [JsonPropertyName("args")]
    public IReadOnlyDictionary<string, string> Arguments { get; init; } = EmptyArguments;

    private static readonly IReadOnlyDictionary<string, string> EmptyArguments = new Dictionary<string, string>();
}

/// <summary>Where an event happened.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EventOrigin>))]
public enum EventOrigin
{
    /// <summary>On the node itself, outside any container.</summary>
    [JsonStringEnumMemberName("host")] Host,

    /// <summary>Inside a container.</summary>
    [JsonStringEnumMemberName("container")] Container,
}
