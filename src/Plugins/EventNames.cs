namespace Sigs.Plugins;

/// <summary>Event names of the contract. They are Tracee's names; other sources map onto them.</summary>
public static class EventNames
{
    /// <summary>A file was opened.</summary>
    public const string FileOpen = "security_file_open";

    /// <summary>A file or directory was renamed.</summary>
    public const string FileRename = "security_inode_rename";

    /// <summary>A process executed a new program.</summary>
    public const string ProcessExec = "sched_process_exec";

    /// <summary>A process exited.</summary>
    public const string ProcessExit = "sched_process_exit";

    /// <summary>A Kubernetes API server audit record.</summary>
    public const string KubernetesAudit = "k8s_audit";
}

/// <summary>Names of the feeds that produce events.</summary>
public static class EventSources
{
    /// <summary>Aqua Security Tracee.</summary>
    public const string Tracee = "tracee";

    /// <summary>Falco alerts.</summary>
    public const string Falco = "falco";

    /// <summary>The Kubernetes API server's audit log or webhook.</summary>
    public const string KubernetesAudit = "k8s-audit";

    /// <summary>Cilium Tetragon (its gRPC GetEvents).</summary>
    public const string Tetragon = "tetragon";

    /// <summary>Sigs' own fanotify and process-connector probe.</summary>
    public const string Native = "native";

    /// <summary>Events written in the contract's own JSON form.</summary>
    public const string Sigs = "sigs";
}

/// <summary>Where an event happened, for <see cref="EventSelector.Origin"/> (SDK 1.6).</summary>
public static class EventOrigins
{
    /// <summary>On the node itself (<see cref="EventOrigin.Host"/>).</summary>
    public const string Host = "host";

    /// <summary>Inside a container (<see cref="EventOrigin.Container"/>).</summary>
    public const string Container = "container";
}

/// <summary>
/// Facts of an event a signature may need to fire, for <see cref="Signature.RequiredFacts"/>: the host says which
/// signatures cannot fire on a feed whose events never carry one.
/// </summary>
public static class EventFacts
{
    /// <summary><see cref="ProcessInfo.Interactive"/>: whether the process has a terminal.</summary>
    public const string Interactive = "process.interactive";

    /// <summary><see cref="ProcessInfo.Args"/>: the process's argv.</summary>
    public const string Args = "process.args";

    /// <summary><see cref="FileEventInfo.Flags"/>: an open's flags (at least its access mode).</summary>
    public const string OpenFlags = "file.flags";
}
