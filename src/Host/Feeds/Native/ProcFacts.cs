using System.Globalization;
using System.Text;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>What the probe knows of one process: its facts and, when it runs in one, its container and pod.</summary>
internal sealed record ProcessFacts(ProcessInfo Process, string? ContainerId, string? PodUid);

/// <summary>
/// Reads what <c>/proc/PID</c> says about a process. A process may exit while it is read: whatever was read
/// is kept, the rest stays unknown, and nothing throws.
/// </summary>
internal static class ProcFacts
{
    public static ProcessFacts Read(string procRoot, int pid)
    {
        string dir = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));
        string? stat = TryRead(Path.Combine(dir, "stat"));
        (int? parent, int? ttyNr, ulong? startTime) = ParseStat(stat);
        (string? containerId, string? podUid) = TryReadLines(Path.Combine(dir, "cgroup")) is { } cgroup ? CgroupPaths.Parse(cgroup) : (null, null);
        string[]? status = TryReadLines(Path.Combine(dir, "status"));
        var process = new ProcessInfo
        {
            Pid = ParseNamespacePid(status) ?? pid,
            HostPid = pid,
            ParentPid = parent,
            EntityId = startTime is ulong start ? EntityId(pid, start) : null,
            Name = TryRead(Path.Combine(dir, "comm"))?.TrimEnd('\n') ?? (stat is null ? null : CommOf(stat)), // gone since: stat had it
            Executable = TryLink(Path.Combine(dir, "exe")),
            Args = TryRead(Path.Combine(dir, "cmdline")) is { Length: > 0 } cmdline ? cmdline.TrimEnd('\0').Split('\0') : null,
            Uid = ParseUid(status),
            Interactive = ttyNr is int tty ? tty != 0 : null,
            Tty = TtyText(ttyNr),
        };
        return new ProcessFacts(process, containerId, podUid);
    }

    /// <summary>Pid and start time name one incarnation of a process.</summary>
    public static ulong EntityId(int pid, ulong startTime) => ((ulong)(uint)pid << 32) ^ startTime;

    public static string? TtyText(int? ttyNr) => ttyNr is int nr and not 0 ? nr.ToString(CultureInfo.InvariantCulture) : null;

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

    /// <summary>The comm inside <c>/proc/PID/stat</c>'s parentheses, or null.</summary>
    public static string? CommOf(string stat)
    {
        int open = stat.IndexOf('(', StringComparison.Ordinal);
        int close = stat.LastIndexOf(')');
        return open >= 0 && close > open ? stat[(open + 1)..close] : null;
    }

    /// <summary>
    /// A small <c>/proc/PID/NAME</c> file read with plain system calls (the probe's hot path); null when the
    /// process is gone.
    /// </summary>
    public static string? ReadQuick(int pid, string name)
    {
        Span<byte> path = stackalloc byte[64];
        int length = Encoding.ASCII.GetBytes($"/proc/{pid}/{name}", path);
        path[length] = 0;
        Span<byte> buffer = stackalloc byte[1024];
        int read = Linux.ReadSmallFile(path[..(length + 1)], buffer);
        return read <= 0 ? null : Encoding.UTF8.GetString(buffer[..read]);
    }

    /// <summary>The last NSpid entry of <c>/proc/PID/status</c>: the pid inside the process's own pid namespace.</summary>
    private static int? ParseNamespacePid(string[]? status) =>
        StatusValues(status, "NSpid:") is [.., string last] && int.TryParse(last, CultureInfo.InvariantCulture, out int pid) ? pid : null;

    private static uint? ParseUid(string[]? status) =>
        StatusValues(status, "Uid:") is [string real, ..] && uint.TryParse(real, CultureInfo.InvariantCulture, out uint uid) ? uid : null;

    /// <summary>The tab-separated values of the <c>/proc/PID/status</c> line that starts with <paramref name="label"/>.</summary>
    public static string[]? StatusValues(IEnumerable<string>? status, string label) =>
        status?.FirstOrDefault(l => l.StartsWith(label, StringComparison.Ordinal)) is { } line
            ? line[label.Length..].Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;

    public static string? TryRead(string path)
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
