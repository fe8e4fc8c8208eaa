using Sigs.Host.Feeds.Tetragon.Proto;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tetragon;

/// <summary>A Tetragon <c>Process</c> (and its pod) in the contract's terms: the process, its container, its pod.</summary>
internal sealed record TetragonProcess(ProcessInfo Process, ContainerInfo? Container, KubernetesInfo? Kubernetes)
{
    public static TetragonProcess From(Process process, Process? parent)
    {
        Pod? pod = process.Pod;
        string? containerId = ContainerId(pod?.Container?.Id) ?? JsonFields.NonEmpty(process.Docker);
        string? podName = JsonFields.NonEmpty(pod?.Name);
        string? ns = JsonFields.NonEmpty(pod?.Namespace);
        string? podUid = JsonFields.NonEmpty(pod?.Uid);
        return new TetragonProcess(
            new ProcessInfo
            {
                HostPid = Signed(process.Pid),
                Pid = Signed(pod?.Container?.Pid) ?? Signed(process.Pid),
                ParentPid = Signed(parent?.Pid),
                EntityId = ExecIds.EntityId(process.ExecId),
                Name = CommOf(process.Binary),
                Executable = JsonFields.NonEmpty(process.Binary),
                Args = Argv(process),
                Uid = process.Uid,
                WorkingDirectory = JsonFields.NonEmpty(process.Cwd),
                ParentExecutable = JsonFields.NonEmpty(parent?.Binary),
                ParentArgs = parent is null ? null : Argv(parent),
            },
            containerId is null ? null : new ContainerInfo
            {
                Id = containerId,
                Name = JsonFields.NonEmpty(pod?.Container?.Name),
                Image = JsonFields.NonEmpty(pod?.Container?.Image?.Name),
            },
            podName is null && ns is null && podUid is null ? null : new KubernetesInfo { PodName = podName, Namespace = ns, PodUid = podUid });
    }

    /// <summary>The binary, then the split arguments; unknown without a binary.</summary>
    private static List<string>? Argv(Process process)
    {
        if (string.IsNullOrEmpty(process.Binary))
        {
            return null;
        }

        List<string> argv = TetragonArguments.Split(process.Arguments);
        argv.Insert(0, process.Binary);
        return argv;
    }

    /// <summary>The comm exec gives: the file name, at most TASK_COMM_LEN - 1 (15) characters.</summary>
    private static string? CommOf(string binary)
    {
        string name = Path.GetFileName(binary);
        return name.Length == 0 ? null : name.Length > 15 ? name[..15] : name;
    }

    /// <summary>A container id without its runtime's scheme (<c>containerd://</c>, <c>docker://</c>, <c>cri-o://</c>).</summary>
    private static string? ContainerId(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        int scheme = id.IndexOf("://", StringComparison.Ordinal);
        return JsonFields.NonEmpty(scheme < 0 ? id : id[(scheme + 3)..]);
    }

    private static int? Signed(uint? value) => value is null ? null : unchecked((int)value.Value);
}
