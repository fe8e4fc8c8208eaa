using Sigs.Host.Collections;
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
/// Pod names are read once per pod, on the exec path only. Bounded: the oldest entries are forgotten first.
/// Safe to use from the process connector's thread and the file probe's threads at once.
/// </summary>
internal sealed class KnownProcesses(string procRoot = "/proc", int capacity = 65_536, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    private const int PodCapacity = 4096;
    private const int ExitedCapacity = 4096;
    private static readonly TimeSpan PodRetryInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly BoundedMap<int, ProcessFacts> _byPid = new(capacity);
    private readonly BoundedMap<int, ProcessFacts> _exited = new(ExitedCapacity);
    private readonly BoundedMap<string, PodNames> _pods = new(PodCapacity, StringComparer.Ordinal);

    /// <summary>Reads a process that has just exec'd, and its pod's names when they are not known yet.</summary>
    public ProcessFacts OnExec(int pid)
    {
        ProcessFacts facts = ProcFacts.Read(procRoot, pid);
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
            if (!_byPid.Remove(pid, out ProcessFacts? facts))
            {
                return null;
            }

            _exited.Set(pid, facts);
            return facts.Process.EntityId;
        }
    }

    /// <summary>
    /// The facts of a process behind a file event. Reads <c>/proc/PID/stat</c> to check the cached entry is the
    /// same incarnation and image (start time and comm); reads everything again when it is not. Never reads files
    /// outside /proc, so it is safe on the thread that answers permission events.
    /// </summary>
    public ProcessFacts ForFileEvent(int pid)
    {
        string? stat = ProcFacts.ReadQuick(pid, "stat");
        ProcessFacts? cached;
        lock (_lock)
        {
            if (!_byPid.TryGetValue(pid, out cached) && stat is null)
            {
                _exited.TryGetValue(pid, out cached);
            }
        }

        if (stat is null)
        {
            // Gone already: what was known before, or just the pid.
            return cached ?? new ProcessFacts(new ProcessInfo { Pid = pid, HostPid = pid }, null, null);
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
        Store(pid, facts);
        return facts;
    }

    /// <summary>
    /// The facts of a process already checked by <see cref="ForFileEvent(int)"/> and known (through a /proc
    /// descriptor kept since) to be the same process: only an exec can have changed it, which its comm shows. Costs no
    /// /proc read when <paramref name="comm"/> matches.
    /// </summary>
    public ProcessFacts ForFileEventOfSameProcess(int pid, string? comm)
    {
        lock (_lock)
        {
            if (_byPid.TryGetValue(pid, out ProcessFacts? cached) && comm is not null && cached.Process.Name == comm.TrimEnd('\n'))
            {
                return cached;
            }
        }

        return ForFileEvent(pid);
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

    private void RememberPod(string podUid, PodNames names)
    {
        lock (_lock)
        {
            _pods.Set(podUid, names);
        }
    }
}
