using System.Globalization;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// Reads what <c>/proc/PID</c> says about a process. A process may exit while it is read: whatever was read
/// is kept, the rest stays unknown, and nothing throws.
/// </summary>
internal static class ProcFacts
{
    public static ProcessInfo Read(string procRoot, int pid, out string? containerId, out string? podUid)
    {
        string dir = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));
        string? stat = TryRead(Path.Combine(dir, "stat"));
        (int? parent, int? ttyNr, ulong? startTime) = ParseStat(stat);
        (containerId, podUid) = TryReadLines(Path.Combine(dir, "cgroup")) is { } cgroup ? CgroupPaths.Parse(cgroup) : (null, null);
        return new ProcessInfo
        {
            Pid = pid,
            HostPid = pid,
            ParentPid = parent,
            EntityId = startTime is ulong start ? ((ulong)(uint)pid << 32) ^ start : null,
            Name = TryRead(Path.Combine(dir, "comm"))?.TrimEnd('\n'),
            Executable = TryLink(Path.Combine(dir, "exe")),
            Args = TryRead(Path.Combine(dir, "cmdline")) is { Length: > 0 } cmdline ? cmdline.TrimEnd('\0').Split('\0') : null,
            Uid = ParseUid(TryReadLines(Path.Combine(dir, "status"))),
            Interactive = ttyNr is int tty ? tty != 0 : null,
            Tty = ttyNr is int nr and not 0 ? nr.ToString(CultureInfo.InvariantCulture) : null,
        };
    }

    /// <summary>Fields of <c>/proc/PID/stat</c> after the parenthesised comm: ppid (4), tty_nr (7), starttime (22).</summary>
    public static (int? Parent, int? TtyNr, ulong? StartTime) ParseStat(string? stat)
    {
        int close = stat?.LastIndexOf(')') ?? -1;
        if (stat is null || close < 0)
        {
            return (null, null, null);
        }

        string[] fields = stat[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state).
        return fields.Length > 19
            && int.TryParse(fields[1], CultureInfo.InvariantCulture, out int parent)
            && int.TryParse(fields[4], CultureInfo.InvariantCulture, out int tty)
            && ulong.TryParse(fields[19], CultureInfo.InvariantCulture, out ulong start)
            ? (parent, tty, start)
            : (null, null, null);
    }

    private static uint? ParseUid(string[]? status)
    {
        string? line = status?.FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return line is not null && uint.TryParse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture, out uint uid) ? uid : null;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[]? TryReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? TryLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
