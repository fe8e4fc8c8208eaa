using System.Globalization;
using Sigs.Host.Collections;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Enrichment;

/// <summary>
/// Fills what a live feed's event lacks about its process, the terminal (<c>stat</c>'s tty_nr) and argv
/// (<c>cmdline</c>), from <c>/proc/HOSTPID</c> of this node. Sensors such as Tetragon never send a terminal, and
/// Falco alerts carry one only when the rule's output has <c>proc.tty</c>.
/// </summary>
/// <remarks>
/// Only the same process may lend its facts: <c>/proc/HOSTPID</c> must have started no later than the
/// process's exec as the sensor reports it (or, without it, than the event), since a pid reused after the exit
/// belongs to a process started later; and its comm must equal the event's process name, or the file name of
/// its binary (cut to 15 characters, as the kernel does), when the event says one. A process gone since, or
/// another one, leaves the facts unknown and is counted. Works only in the host's pid namespace
/// (<see cref="WhyNot"/>). What /proc said of a process with an entity id is kept (bounded), so a process's
/// later events cost no read: its terminal does not change. Thread-safe.
/// </remarks>
internal sealed class ProcFactFiller
{
    /// <summary>The inode of the initial pid namespace (the kernel's PROC_PID_INIT_INO).</summary>
    public const string HostPidNamespace = "pid:[4026531836]";

    /// <summary>How much earlier than the sensor's start time a process may seem to start: /proc/stat's boot time is whole seconds.</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    private const int ClockTicksPerSecond = 100; // USER_HZ: what /proc reports times in, on every Linux ABI

    private const int RememberedProcesses = 16_384;

    /// <summary>What the remembered facts may hold together, in bytes (argv is cut to <see cref="ArgvLimit.MaxBytes"/> when read).</summary>
    private const long RememberedBytes = 16L << 20;

    private readonly string _procRoot;
    private readonly BoundedMap<(int HostPid, ulong EntityId), Lent?> _remembered = new(RememberedProcesses, weigh: lent => 64 + ArgvLimit.BytesOf(lent?.Args), maxWeight: RememberedBytes);
    private readonly DateTimeOffset _bootTime;
    private long _filled;
    private long _unknown;

    public ProcFactFiller(string procRoot = "/proc")
    {
        _procRoot = procRoot;
        _bootTime = ReadBootTime(procRoot);
    }

    /// <summary>Events that got facts from /proc so far.</summary>
    public long Filled => Interlocked.Read(ref _filled);

    /// <summary>Events whose facts stayed unknown: the process was gone or its pid belonged to another process.</summary>
    public long Unknown => Interlocked.Read(ref _unknown);

    /// <summary>Why /proc cannot lend facts to events here, or null when it can.</summary>
    public static string? WhyNot(string procRoot = "/proc")
    {
        string link = Path.Combine(procRoot, "self", "ns", "pid");
        try
        {
            string? target = new FileInfo(link).LinkTarget;
            return target == HostPidNamespace
                ? null
                : $"Sigs does not run in the host's pid namespace ({link} is {target ?? "not a link"}, the host's is {HostPidNamespace}): a sensor's host pids do not name processes in this /proc";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot read {link}: {ex.Message}";
        }
    }

    /// <summary>True when the event's process lacks a fact /proc can give.</summary>
    public static bool Lacks(SecurityEvent securityEvent) =>
        securityEvent.Process is { HostPid: > 0 } process && (process.Interactive is null || process.Args is null);

    /// <param name="processStart">When the sensor says the process started (its exec), if it says.</param>
    public SecurityEvent Fill(SecurityEvent securityEvent, DateTimeOffset? processStart = null)
    {
        if (!Lacks(securityEvent))
        {
            return securityEvent;
        }

        ProcessInfo process = securityEvent.Process!;
        Lent? lent = Remembered(process, () => Read(process, processStart ?? securityEvent.Time));
        if (lent is null)
        {
            Interlocked.Increment(ref _unknown);
            return securityEvent;
        }

        Interlocked.Increment(ref _filled);
        return securityEvent with
        {
            Process = process with
            {
                Interactive = process.Interactive ?? lent.TtyNr != 0,
                Tty = process.Tty ?? ProcFacts.TtyText(lent.TtyNr),
                Args = process.Args ?? lent.Args,
                ArgsTruncated = process.Args is null ? lent.ArgsTruncated : process.ArgsTruncated,
            },
        };
    }

    /// <summary>What was read for the process before, when it has an entity id; else read now.</summary>
    private Lent? Remembered(ProcessInfo process, Func<Lent?> read)
    {
        if (process.EntityId is not ulong entity)
        {
            return read();
        }

        var key = (process.HostPid!.Value, entity);
        lock (_remembered)
        {
            if (_remembered.TryGetValue(key, out Lent? known))
            {
                return known;
            }
        }

        Lent? lent = read();
        lock (_remembered)
        {
            _remembered.Set(key, lent);
        }

        return lent;
    }

    /// <summary>The facts of /proc/HOSTPID, or null when it is gone or another process.</summary>
    private Lent? Read(ProcessInfo process, DateTimeOffset reference)
    {
        string dir = Path.Combine(_procRoot, process.HostPid!.Value.ToString(CultureInfo.InvariantCulture));
        string? stat = ProcFacts.TryRead(Path.Combine(dir, "stat"));
        (_, int? ttyNr, ulong? startTicks) = ProcFacts.ParseStat(stat);
        if (stat is null || ttyNr is null || startTicks is null || !StartedBy(startTicks.Value, reference) || !SameName(ProcFacts.CommOf(stat), process))
        {
            return null;
        }

        // argv is read whether or not this event lacks it: a later event of the process may.
        (IReadOnlyList<string>? args, bool truncated) = ProcFacts.ReadArgs(Path.Combine(dir, "cmdline"), stat);
        return new Lent(ttyNr.Value, args, truncated ? true : null);
    }

    /// <summary>True when a process that started <paramref name="startTicks"/> after boot started no later than <paramref name="reference"/>.</summary>
    private bool StartedBy(ulong startTicks, DateTimeOffset reference) =>
        _bootTime != DateTimeOffset.MaxValue && reference < DateTimeOffset.MaxValue - Tolerance
        && _bootTime.AddSeconds((double)startTicks / ClockTicksPerSecond) <= reference + Tolerance;

    /// <summary>The comm against the event's name, or its binary's file name, when it has either.</summary>
    private static bool SameName(string? comm, ProcessInfo process)
    {
        string? expected = process.Name ?? (process.Executable is { } binary ? Path.GetFileName(binary) : null);
        if (expected is null)
        {
            return true;
        }

        return comm is not null && (comm == expected || (expected.Length > 15 && comm == expected[..15]));
    }

    private static DateTimeOffset ReadBootTime(string procRoot)
    {
        string? stat = ProcFacts.TryRead(Path.Combine(procRoot, "stat"));
        string? line = stat?.Split('\n').FirstOrDefault(l => l.StartsWith("btime ", StringComparison.Ordinal));
        return line is not null && long.TryParse(line.AsSpan(6), CultureInfo.InvariantCulture, out long seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MaxValue; // unknown: nothing started before it, so nothing is filled
    }

    /// <summary>What /proc lends one process: its tty_nr and argv.</summary>
    private sealed record Lent(int TtyNr, IReadOnlyList<string>? Args, bool? ArgsTruncated);
}
