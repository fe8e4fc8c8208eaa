using Sigs.Host.Common;
using Sigs.Host.Enrichment;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Enrichment;

/// <summary>What the probe knows of one process: its facts and, when it runs in one, its container and pod.</summary>
internal sealed record ProcessFacts(ProcessInfo Process, string? ContainerId, string? PodUid)
{
    /// <summary>
    /// Read from a process that had exited (gone, or a zombie whose cgroup, terminal, argv and executable the
    /// kernel no longer shows): only what its stat still said is its own.
    /// </summary>
    public bool Exited { get; init; }
}

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
        (IReadOnlyList<string>? args, bool argsTruncated) = ReadArgs(Path.Combine(dir, "cmdline"), stat);
        var process = new ProcessInfo
        {
            Pid = ParseNamespacePid(status) ?? pid,
            HostPid = pid,
            ParentPid = parent,
            EntityId = startTime is ulong start ? EntityId(pid, start) : null,
            Name = TryRead(Path.Combine(dir, "comm"))?.TrimEnd('\n') ?? (stat is null ? null : CommOf(stat)), // gone since: stat had it
            Executable = TryLink(Path.Combine(dir, "exe")),
            Args = args,
            ArgsTruncated = argsTruncated ? true : null,
            Uid = ParseUid(status),
            Interactive = ttyNr is int tty ? tty != 0 : null,
            Tty = TtyText(ttyNr),
            WorkingDirectory = TryLink(Path.Combine(dir, "cwd")),
        };
        // Read last, stat says whether the process lived through every read above (an exit is for good).
        string? statAfter = TryRead(Path.Combine(dir, "stat"));
        return new ProcessFacts(process, containerId, podUid) { Exited = stat is null || statAfter is null || HasExited(statAfter) };
    }

    /// <summary>
    /// True when <c>/proc/PID/stat</c> says the process is exiting (PF_EXITING in its flags, field 9: its terminal
    /// and cgroup are already let go), a zombie (Z) or dead (X): what /proc shows of it is no longer its own.
    /// </summary>
    public static bool HasExited(string stat)
    {
        const uint PfExiting = 0x4;
        int close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return true;
        }

        if (stat[close + 2] is 'Z' or 'X')
        {
            return true;
        }

        // Fields after the comm: state (3), ppid, pgrp, session, tty_nr, tpgid, flags (9).
        string[] fields = stat[(close + 2)..].Split(' ', 8);
        return fields.Length > 6 && uint.TryParse(fields[6], CultureInfo.InvariantCulture, out uint flags) && (flags & PfExiting) != 0;
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
        int read = LibC.ReadSmallFile(path[..(length + 1)], buffer);
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

    /// <summary>
    /// The arguments in <c>/proc/PID/cmdline</c>, of which only the first <see cref="ArgvLimit.MaxBytes"/> + 1 bytes
    /// are read and, when there are more, the last <see cref="ArgvLimit.TailBytes"/> + 1 (where they are comes from
    /// <paramref name="stat"/>'s arg_start and arg_end): the kernel copies no more of the process's memory than is
    /// asked for.
    /// </summary>
    public static (IReadOnlyList<string>? Args, bool Truncated) ReadArgs(string path, string? stat)
    {
        Span<byte> head = stackalloc byte[ArgvLimit.MaxBytes + 1];
        Span<byte> tail = stackalloc byte[ArgvLimit.TailBytes + 1];
        int read = TryReadPrefix(path, head);
        if (read <= 0)
        {
            return (null, false);
        }

        int tailRead = read > ArgvLimit.MaxBytes && ArgvLength(stat) is long length && length > ArgvLimit.MaxBytes
            ? TryReadPrefix(path, tail, length - tail.Length)
            : 0;
        return ArgvLimit.FromParts(head[..read], tail[..Math.Max(0, tailRead)]);
    }

    /// <summary>arg_end - arg_start of <c>/proc/PID/stat</c> (fields 48 and 49): how long the process's argv is.</summary>
    public static long? ArgvLength(string? stat)
    {
        int close = stat?.LastIndexOf(')') ?? -1;
        string[] fields = close < 0 ? [] : stat![(close + 2)..].Split(' ');
        // fields[0] is field 3.
        return fields.Length > 46
            && long.TryParse(fields[45], CultureInfo.InvariantCulture, out long start)
            && long.TryParse(fields[46], CultureInfo.InvariantCulture, out long end)
            && end > start
            ? end - start
            : null;
    }

    /// <summary>Reads at most <paramref name="buffer"/>'s length of a file's bytes from <paramref name="offset"/>; the count, or -1 when it cannot be read.</summary>
    public static int TryReadPrefix(string path, Span<byte> buffer, long offset = 0)
    {
        try
        {
            using SafeFileHandle file = File.OpenHandle(path);
            int total = 0;
            while (total < buffer.Length && RandomAccess.Read(file, buffer[total..], offset + total) is int read and > 0)
            {
                total += read;
            }

            return total;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

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
