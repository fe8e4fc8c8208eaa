using Sigs.Host.Feeds.Tetragon.Proto;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tetragon;

/// <summary>
/// Maps one Tetragon <c>GetEventsResponse</c> to the contract: <c>process_exec</c> and <c>process_exit</c> to
/// <c>sched_process_exec</c>/<c>sched_process_exit</c>; a file hook of a kprobe or LSM policy to
/// <c>security_file_open</c>; a rename hook to <c>security_inode_rename</c>.
/// </summary>
/// <remarks>
/// Tetragon's file argument carries no open flags (its <c>flags</c> is path-resolution state, its
/// <c>permission</c> the file's mode bits), so the access mode comes from the hook:
/// <c>security_file_permission</c>'s mask (MAY_READ 4, MAY_WRITE 2) becomes O_RDONLY, O_WRONLY or O_RDWR; an
/// open hook without a mask (<c>security_file_open</c>, LSM <c>file_open</c>) leaves the flags unknown. The
/// process has no comm: its name is the one the kernel gives at exec, the binary's file name cut to 15
/// characters (a later <c>prctl(PR_SET_NAME)</c> is not seen). It has no terminal either (see
/// <see cref="ProcFactFiller"/>). argv is the binary followed by the split <c>arguments</c>
/// (<see cref="TetragonArguments"/>): Tetragon does not send argv[0].
/// </remarks>
internal static class TetragonEventMapper
{
    private const int MayWrite = 2;
    private const int MayRead = 4;

    /// <summary>Hooks whose second argument is the access mask.</summary>
    private static readonly HashSet<string> PermissionHooks = new(StringComparer.Ordinal) { "security_file_permission", "file_permission" };

    /// <summary>Hooks that see an open, without its flags.</summary>
    private static readonly HashSet<string> OpenHooks = new(StringComparer.Ordinal) { "security_file_open", "file_open" };

    /// <summary>Hooks whose two path arguments are the old and the new name.</summary>
    private static readonly HashSet<string> RenameHooks = new(StringComparer.Ordinal) { "security_inode_rename", "inode_rename", "security_path_rename", "path_rename" };

    /// <param name="processes">Where each process's contract view is kept between its events; null to map every event afresh.</param>
    public static SecurityEvent Map(GetEventsResponse response, TetragonProcesses? processes = null)
    {
        if (response.EventCase == GetEventsResponse.EventOneofCase.None)
        {
            throw new EventDecodeException("response carries no event Sigs reads (a type it did not ask for, or one newer than its .proto)");
        }

        DateTimeOffset time = response.Time is { } t ? ProtoTimestamps.ToDateTimeOffset(t, "time") : throw new EventDecodeException($"{Kind(response)} event has no time");
        return response.EventCase switch
        {
            GetEventsResponse.EventOneofCase.ProcessExec => Event(response, time, EventNames.ProcessExec, response.ProcessExec.Process, response.ProcessExec.Parent, file: null, processes),
            GetEventsResponse.EventOneofCase.ProcessExit => Event(response, time, EventNames.ProcessExit, response.ProcessExit.Process, response.ProcessExit.Parent, file: null, processes),
            GetEventsResponse.EventOneofCase.ProcessKprobe => Hook(response, time, response.ProcessKprobe.FunctionName, response.ProcessKprobe.PolicyName, response.ProcessKprobe.Args, response.ProcessKprobe.Process, response.ProcessKprobe.Parent, processes),
            GetEventsResponse.EventOneofCase.ProcessLsm => Hook(response, time, response.ProcessLsm.FunctionName, response.ProcessLsm.PolicyName, response.ProcessLsm.Args, response.ProcessLsm.Process, response.ProcessLsm.Parent, processes),
            _ => throw new EventDecodeException($"{Kind(response)} is not an event Sigs maps"),
        };
    }

    /// <summary>The process an event is about, when it names one.</summary>
    public static Process? ProcessOf(GetEventsResponse response) => response.EventCase switch
    {
        GetEventsResponse.EventOneofCase.ProcessExec => response.ProcessExec.Process,
        GetEventsResponse.EventOneofCase.ProcessExit => response.ProcessExit.Process,
        GetEventsResponse.EventOneofCase.ProcessKprobe => response.ProcessKprobe.Process,
        GetEventsResponse.EventOneofCase.ProcessLsm => response.ProcessLsm.Process,
        _ => null,
    };

    /// <summary>The event's kind as Tetragon's JSON names it, for messages.</summary>
    public static string Kind(GetEventsResponse response) => response.EventCase switch
    {
        GetEventsResponse.EventOneofCase.ProcessExec => "process_exec",
        GetEventsResponse.EventOneofCase.ProcessExit => "process_exit",
        GetEventsResponse.EventOneofCase.ProcessKprobe => "process_kprobe",
        GetEventsResponse.EventOneofCase.ProcessLsm => "process_lsm",
        GetEventsResponse.EventOneofCase.ProcessThrottle => "process_throttle",
        GetEventsResponse.EventOneofCase.RateLimitInfo => "rate_limit_info",
        _ => response.EventCase.ToString(),
    };

    private static SecurityEvent Hook(GetEventsResponse response, DateTimeOffset time, string function, string policy, IList<KprobeArgument> args, Process? process, Process? parent, TetragonProcesses? processes)
    {
        if (PermissionHooks.Contains(function))
        {
            string path = PathArgument(args, 0, function) ?? throw new EventDecodeException($"{function} (policy {policy}) has no file argument");
            int mask = args.FirstOrDefault(a => a.ArgCase == KprobeArgument.ArgOneofCase.IntArg)?.IntArg
                ?? throw new EventDecodeException($"{function} (policy {policy}) has no int argument (the access mask)");
            int flags = (mask & (MayRead | MayWrite)) switch
            {
                MayRead => OpenFlags.ReadOnly,
                MayWrite => OpenFlags.WriteOnly,
                MayRead | MayWrite => OpenFlags.ReadWrite,
                _ => throw new EventDecodeException($"{function} (policy {policy}) mask {mask} is neither a read nor a write"),
            };
            return Event(response, time, EventNames.FileOpen, process, parent, new FileEventInfo { Path = path, Flags = flags }, processes);
        }

        if (OpenHooks.Contains(function))
        {
            string path = PathArgument(args, 0, function) ?? throw new EventDecodeException($"{function} (policy {policy}) has no file argument");
            return Event(response, time, EventNames.FileOpen, process, parent, new FileEventInfo { Path = path }, processes);
        }

        if (RenameHooks.Contains(function))
        {
            string oldPath = PathArgument(args, 0, function) ?? throw new EventDecodeException($"{function} (policy {policy}) has no old path argument");
            string newPath = PathArgument(args, 1, function) ?? throw new EventDecodeException($"{function} (policy {policy}) has no new path argument");
            return Event(response, time, EventNames.FileRename, process, parent, new FileEventInfo { OldPath = oldPath, NewPath = newPath }, processes);
        }

        throw new EventDecodeException($"{Kind(response)} {(function.Length == 0 ? "(no function name)" : function)} (policy {policy}) is not a hook Sigs maps");
    }

    /// <summary>The <paramref name="index"/>th path-like argument (file, path or dentry), or null.</summary>
    private static string? PathArgument(IList<KprobeArgument> args, int index, string function)
    {
        int seen = 0;
        foreach (KprobeArgument arg in args)
        {
            string? path = arg.ArgCase switch
            {
                KprobeArgument.ArgOneofCase.FileArg => arg.FileArg.Path,
                KprobeArgument.ArgOneofCase.PathArg => arg.PathArg.Path,
                KprobeArgument.ArgOneofCase.LinuxBinprmArg => arg.LinuxBinprmArg.Path,
                _ => null,
            };
            if (path is not null && seen++ == index)
            {
                return path.Length > 0 ? path : throw new EventDecodeException($"{function}: path argument {index} is empty");
            }
        }

        return null;
    }

    private static SecurityEvent Event(GetEventsResponse response, DateTimeOffset time, string name, Process? process, Process? parent, FileEventInfo? file, TetragonProcesses? processes)
    {
        if (process is null)
        {
            throw new EventDecodeException($"{Kind(response)} event has no process");
        }

        TetragonProcess mapped = processes?.Of(process, parent) ?? TetragonProcess.From(process, parent);
        return new SecurityEvent
        {
            Time = time,
            Source = EventSources.Tetragon,
            Name = name,
            Origin = mapped.Container is null ? EventOrigin.Host : EventOrigin.Container,
            HostName = JsonFields.NonEmpty(response.NodeName),
            Process = mapped.Process,
            Container = mapped.Container,
            Kubernetes = mapped.Kubernetes,
            File = file,
        };
    }
}
