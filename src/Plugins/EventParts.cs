namespace Sigs.Plugins;

/// <summary>Facts about the process behind an event.</summary>
public sealed record ProcessInfo
{
    /// <summary>Process id in the process's own pid namespace.</summary>
    public int? Pid { get; init; }

    /// <summary>Process id in the host's pid namespace.</summary>
    public int? HostPid { get; init; }

    /// <summary>Parent process id, host pid namespace where the source knows it.</summary>
    public int? ParentPid { get; init; }

    /// <summary>
    /// An opaque number that, together with <see cref="HostPid"/>, names one incarnation of a process
    /// (Tracee's process entity id, or a hash of pid and start time), so a reused pid is a different process.
    /// </summary>
    public ulong? EntityId { get; init; }

    /// <summary>The command name (comm), at most 15 characters on Linux.</summary>
    public string? Name { get; init; }

    /// <summary>Path of the executable file.</summary>
    public string? Executable { get; init; }

    /// <summary>
    /// The argument vector, argv[0] included: whole, or its first part when <see cref="ArgsTruncated"/> is true
    /// (Sigs keeps at most 4,096 bytes of argv per process, as Falco does; the last kept argument may be cut).
    /// </summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>True when <see cref="Args"/> is only the first part of the argument vector; null when it is whole or unknown.</summary>
    public bool? ArgsTruncated { get; init; }

    /// <summary>Real user id.</summary>
    public uint? Uid { get; init; }

    /// <summary>True when the process has a controlling terminal; null when the source cannot tell.</summary>
    public bool? Interactive { get; init; }

    /// <summary>The controlling terminal (for example <c>/dev/pts/0</c> or a device number), when known.</summary>
    public string? Tty { get; init; }

    /// <summary>The user name of <see cref="Uid"/>, where the source resolves it (SDK 1.5).</summary>
    public string? UserName { get; init; }

    /// <summary>The process's working directory, where the source knows it (SDK 1.5).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Path of the parent's executable, where the source or an earlier exec of the parent tells it (SDK 1.5).</summary>
    public string? ParentExecutable { get; init; }

    /// <summary>The parent's argument vector, cut as <see cref="Args"/> is (SDK 1.5).</summary>
    public IReadOnlyList<string>? ParentArgs { get; init; }
}

/// <summary>Facts about the container behind an event.</summary>
public sealed record ContainerInfo
{
    /// <summary>The container id as the runtime reports it (usually 64 hex characters).</summary>
    public string? Id { get; init; }

    /// <summary>The container name.</summary>
    public string? Name { get; init; }

    /// <summary>The image reference.</summary>
    public string? Image { get; init; }
}

/// <summary>Facts about the Kubernetes pod behind an event.</summary>
public sealed record KubernetesInfo
{
    /// <summary>The pod name.</summary>
    public string? PodName { get; init; }

    /// <summary>The pod's namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>The pod UID.</summary>
    public string? PodUid { get; init; }

    /// <summary>
    /// The Kubernetes node the event was seen on, where Sigs knows it: on a correlator, the node that forwarded the
    /// event (as NATS authenticated it).
    /// </summary>
    public string? NodeName { get; init; }
}

/// <summary>The file a file event touched.</summary>
public sealed record FileEventInfo
{
    /// <summary>The file's path as the process sees it (for renames, the new path).</summary>
    public string? Path { get; init; }

    /// <summary>Open flags as the Linux integer (<c>O_RDONLY</c> = 0, <c>O_WRONLY</c> = 1, <c>O_RDWR</c> = 2, ...).</summary>
    public int? Flags { get; init; }

    /// <summary>For renames: the path before the rename.</summary>
    public string? OldPath { get; init; }

    /// <summary>For renames: the path after the rename.</summary>
    public string? NewPath { get; init; }
}

/// <summary>Facts from a Kubernetes API server audit record.</summary>
public sealed record AuditInfo
{
    /// <summary>The audit stage: RequestReceived, ResponseStarted, ResponseComplete or Panic.</summary>
    public string? Stage { get; init; }

    /// <summary>The request verb (get, list, create, ...).</summary>
    public string? Verb { get; init; }

    /// <summary>The authenticated user name.</summary>
    public string? User { get; init; }

    /// <summary>
    /// The pod the request's credentials were bound to: the user's extra
    /// <c>authentication.kubernetes.io/pod-name</c> values.
    /// </summary>
    public IReadOnlyList<string>? RequestingPods { get; init; }

    /// <summary>
    /// The node the request's credentials were bound to: the user's extra
    /// <c>authentication.kubernetes.io/node-name</c> values (bound service-account tokens, Kubernetes 1.30 and later).
    /// </summary>
    public IReadOnlyList<string>? RequestingNodes { get; init; }

    /// <summary>The request URI.</summary>
    public string? RequestUri { get; init; }

    /// <summary>The HTTP response code.</summary>
    public int? ResponseCode { get; init; }

    /// <summary>The object the request is about (SDK 1.5).</summary>
    public AuditObjectReference? ObjectRef { get; init; }

    /// <summary>The authenticated user's groups (SDK 1.5).</summary>
    public IReadOnlyList<string>? UserGroups { get; init; }

    /// <summary>
    /// The authenticated user's extra values by key, as the API server wrote them (SDK 1.5); the pod and node keys
    /// are also in <see cref="RequestingPods"/> and <see cref="RequestingNodes"/>.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? UserExtra { get; init; }

    /// <summary>The addresses the request came from, the client's first (SDK 1.5).</summary>
    public IReadOnlyList<string>? SourceIps { get; init; }

    /// <summary>The client's User-Agent header (SDK 1.5).</summary>
    public string? UserAgent { get; init; }

    /// <summary>
    /// The request's body as the API server logged it (audit level <c>Request</c> or <c>RequestResponse</c>), else
    /// null (SDK 1.5).
    /// </summary>
    public System.Text.Json.JsonElement? RequestObject { get; init; }
}

/// <summary>The object an audited request is about: the audit event's <c>objectRef</c> (SDK 1.5).</summary>
public sealed record AuditObjectReference
{
    /// <summary>The resource, plural and lower case (<c>pods</c>, <c>secrets</c>).</summary>
    public string? Resource { get; init; }

    /// <summary>The subresource (<c>exec</c>, <c>log</c>, <c>token</c>).</summary>
    public string? Subresource { get; init; }

    /// <summary>The object's namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>The object's name.</summary>
    public string? Name { get; init; }

    /// <summary>The API group; empty or null for the core group.</summary>
    public string? ApiGroup { get; init; }

    /// <summary>The API version.</summary>
    public string? ApiVersion { get; init; }
}
