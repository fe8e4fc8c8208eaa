using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>
/// Maps Tracee's named event arguments to the contract's typed parts. Shared by the JSON decoders and the
/// gRPC feed, which differ only in how they read an argument.
/// </summary>
internal static class TraceeArguments
{
    /// <summary>Tracee's <c>sched_process_exec</c> reports stdin; a terminal there means an interactive process.</summary>
    public static bool? StdinIsTerminal(string? stdinType, string? stdinPath)
    {
        if (stdinType is null && stdinPath is null)
        {
            return null;
        }

        return stdinType == "S_IFCHR"
            && stdinPath is not null
            && (stdinPath.StartsWith("/dev/pts/", StringComparison.Ordinal) || stdinPath.StartsWith("/dev/tty", StringComparison.Ordinal));
    }

    public static FileEventInfo? File(string eventName, IReadOnlyDictionary<string, string> args, int? flags) => eventName switch
    {
        EventNames.FileOpen => new FileEventInfo { Path = args.GetValueOrDefault("pathname"), Flags = flags },
        EventNames.FileRename => new FileEventInfo
        {
            OldPath = args.GetValueOrDefault("old_path"),
            NewPath = args.GetValueOrDefault("new_path"),
            Path = args.GetValueOrDefault("new_path"),
        },
        _ => null,
    };

    /// <summary>Adds what an exec event says about the new program to the process facts.</summary>
    public static ProcessInfo WithExecFacts(ProcessInfo process, IReadOnlyDictionary<string, string> args, IReadOnlyList<string>? argv)
    {
        string? stdinPath = args.GetValueOrDefault("stdin_path");
        bool? interactive = StdinIsTerminal(args.GetValueOrDefault("stdin_type"), stdinPath);
        return process with
        {
            Args = argv ?? process.Args,
            Executable = args.GetValueOrDefault("pathname") ?? process.Executable,
            Interactive = interactive,
            Tty = interactive == true ? stdinPath : process.Tty,
        };
    }
}
