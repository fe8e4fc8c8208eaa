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

    /// <summary>Sigs' own fanotify and process-connector probe.</summary>
    public const string Native = "native";

    /// <summary>Events written in the contract's own JSON form.</summary>
    public const string Sigs = "sigs";
}
