using Sigs.Host.Enrichment;
using Sigs.Host.Collections;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>A pod's name and namespace, as read without asking the API server.</summary>
internal sealed record PodNames(string? Name, string? Namespace)
{
    /// <summary>When these were read; names with a part missing are read again at a later exec.</summary>
    public DateTimeOffset Read { get; init; }

    public bool Complete => Name is not null && Namespace is not null;
}

/// <summary>
/// The processes the probe has seen, so a file event costs one small /proc read instead of a full one: facts are
/// read at exec (or at a process's first file event) and reused while the pid, start time and comm stay the same.
/// Pod names are read once per pod, on the exec path only. Bounded in entries and in bytes (argv is cut to
/// <see cref="ArgvLimit.MaxBytes"/> when read, and the facts kept weigh at most <see cref="MaxBytes"/> together,
/// live and exited): the oldest entries are forgotten first, and a live process forgotten is read again at its next
/// file event. Safe to use from the process connector's thread and the file probe's threads at once.
/// </summary>
internal sealed class KnownProcesses(string procRoot = "/proc", int capacity = 65_536, TimeProvider? clock = null, long maxBytes = KnownProcesses.MaxBytes)
{
    /// <summary>What the facts of live processes may hold, in bytes; exited ones get a sixteenth of it beside.</summary>
    public const long MaxBytes = 48L << 20;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    private const int PodCapacity = 4096;
    private const int ExitedCapacity = 4096;
    private static readonly TimeSpan PodRetryInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private long _currentAsOf;
    private readonly BoundedMap<int, ProcessFacts> _byPid = new(capacity, weigh: Weigh, maxWeight: maxBytes);
    private readonly BoundedMap<int, ProcessFacts> _exited = new(ExitedCapacity, weigh: Weigh, maxWeight: maxBytes / 16);
    private readonly BoundedMap<string, PodNames> _pods = new(PodCapacity, StringComparer.Ordinal);
    private readonly BoundedMap<int, int> _parents = new(65_536); // new process -> its parent, from forks

    /// <summary>
    /// A monotonic time (<see cref="Monotonic"/>, ns) by which every exec the kernel reported has been read and
    /// stored: the facts of a process that exec'd before it and is gone now are here, if it was alive when read.
    /// </summary>
    public long CurrentAsOf => Volatile.Read(ref _currentAsOf);

    /// <summary>The process connector found nothing left to read at <paramref name="monotonicNow"/>.</summary>
    public void CaughtUp(long monotonicNow)
    {
        long current;
        while ((current = Volatile.Read(ref _currentAsOf)) < monotonicNow && Interlocked.CompareExchange(ref _currentAsOf, monotonicNow, current) != current)
        {
        }
    }

    /// <summary>What the facts kept weigh now, live and exited, in bytes.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _byPid.Weight + _exited.Weight;
            }
        }
    }

    /// <summary>A process forked <paramref name="pid"/>: an exec of it gone before it is read inherits the parent's facts.</summary>
    public void OnFork(int pid, int parent)
    {
        lock (_lock)
        {
            _parents.Set(pid, parent);
        }
    }

    /// <summary>
    /// Reads a process that has just exec'd, and its pod's names when they are not known yet. A process that exited
    /// before it was read (a short <c>cat</c> on a busy node) keeps what its stat still said, and takes its container,
    /// pod and terminal from what it was before this exec, or else from its parent: both survive an exec and a fork
    /// unchanged unless the process changed them itself.
    /// </summary>
    public ProcessFacts OnExec(int pid)
    {
        ProcessFacts facts = ProcFacts.Read(procRoot, pid);
        if (facts.Exited && Earlier(pid, facts.Process.ParentPid) is { } earlier)
        {
            facts = facts with
            {
                ContainerId = earlier.ContainerId,
                PodUid = earlier.PodUid,
                Process = facts.Process with
                {
                    Interactive = earlier.Process.Interactive,
                    Tty = earlier.Process.Tty,
                    Uid = facts.Process.Uid ?? earlier.Process.Uid,
                    ParentPid = facts.Process.ParentPid ?? ParentOf(pid),
                },
            };
        }

        facts = WithParent(facts);
        Store(pid, facts);
        if (facts.PodUid is { } podUid && NeedsPodNames(podUid))
        {
            RememberPod(podUid, PodFiles.Read(procRoot, pid) with { Read = _clock.GetUtcNow() });
        }

        return facts;
    }

    /// <summary>
    /// Moves an exited process to a short list of recent exits (a notification, such as a rename, may be read
    /// after its process has gone); its entity id when it was known.
    /// </summary>
    public ulong? OnExit(int pid)
    {
        lock (_lock)
        {
            _parents.Remove(pid, out _);
            if (!_byPid.Remove(pid, out ProcessFacts? facts))
            {
                return null;
            }

            _exited.Set(pid, facts);
            return facts.Process.EntityId;
        }
    }

    /// <summary>
    /// The facts of a live process behind a file event. Reads <c>/proc/PID/stat</c> to check the cached entry is
    /// the same incarnation and image (start time and comm); reads everything again when it is not. Null when the
    /// process is gone (then <see cref="Known"/> has what was read of it, once <see cref="CurrentAsOf"/> says so).
    /// Never reads files outside /proc.
    /// </summary>
    public ProcessFacts? ForFileEvent(int pid)
    {
        string? stat = ProcFacts.ReadQuick(pid, "stat");
        if (stat is null || ProcFacts.HasExited(stat))
        {
            return null;
        }

        ProcessFacts? cached;
        lock (_lock)
        {
            _byPid.TryGetValue(pid, out cached);
        }

        (_, int? ttyNr, ulong? start) = ProcFacts.ParseStat(stat);
        if (cached is not null
            && start is ulong startTime && cached.Process.EntityId == ProcFacts.EntityId(pid, startTime)
            && cached.Process.Name == ProcFacts.CommOf(stat))
        {
            return cached.Process.Interactive == (ttyNr != 0) ? cached
                : cached with { Process = cached.Process with { Interactive = ttyNr is int tty ? tty != 0 : null, Tty = ProcFacts.TtyText(ttyNr) } };
        }

        ProcessFacts facts = ProcFacts.Read(procRoot, pid);
        if (facts.Exited)
        {
            return null; // it exited while read: what it showed then is not its own
        }

        Store(pid, facts);
        return facts;
    }

    /// <summary>
    /// The facts with the parent's executable and argv, as the parent is now (checked and read as for a file event),
    /// or as it was last seen when it has exited since.
    /// </summary>
    private ProcessFacts WithParent(ProcessFacts facts)
    {
        if (facts.Process.ParentPid is not int parentPid || parentPid <= 0)
        {
            return facts;
        }

        ProcessInfo? parent = (ForFileEvent(parentPid) ?? Known(parentPid))?.Process;
        return parent is null ? facts
            : facts with { Process = facts.Process with { ParentExecutable = parent.Executable, ParentArgs = parent.Args } };
    }

    /// <summary>The facts <paramref name="pid"/> had before its exec: its own earlier image's, or its parent's.</summary>
    private ProcessFacts? Earlier(int pid, int? parent)
    {
        lock (_lock)
        {
            if (_byPid.TryGetValue(pid, out ProcessFacts? own))
            {
                return own;
            }

            int? forker = parent ?? (_parents.TryGetValue(pid, out int forked) ? forked : null);
            return forker is int p && (_byPid.TryGetValue(p, out ProcessFacts? facts) || _exited.TryGetValue(p, out facts)) ? facts : null;
        }
    }

    private int? ParentOf(int pid)
    {
        lock (_lock)
        {
            return _parents.TryGetValue(pid, out int parent) ? parent : null;
        }
    }

    /// <summary>What was read of <paramref name="pid"/> (alive or exited), without looking at /proc; null when nothing.</summary>
    public ProcessFacts? Known(int pid)
    {
        lock (_lock)
        {
            return _byPid.TryGetValue(pid, out ProcessFacts? facts) || _exited.TryGetValue(pid, out facts) ? facts : null;
        }
    }

    private bool NeedsPodNames(string podUid) =>
        PodOf(podUid) is not { } known || (!known.Complete && _clock.GetUtcNow() - known.Read > PodRetryInterval);

    public PodNames? PodOf(string podUid)
    {
        lock (_lock)
        {
            return _pods.TryGetValue(podUid, out PodNames? names) ? names : null;
        }
    }

    private void Store(int pid, ProcessFacts facts)
    {
        lock (_lock)
        {
            _byPid.Set(pid, facts);
        }
    }

    private static long Weigh(ProcessFacts facts) =>
        ArgvLimit.BytesOf(facts.Process) + (2L * ((facts.ContainerId?.Length ?? 0) + (facts.PodUid?.Length ?? 0)));

    private void RememberPod(string podUid, PodNames names)
    {
        lock (_lock)
        {
            _pods.Set(podUid, names);
        }
    }
}
