using Sigs.Host.Collections;
using Sigs.Host.Feeds.Tetragon.Proto;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tetragon;

/// <summary>
/// Each process's contract view, made once per process rather than once per event: Tetragon repeats the whole
/// <c>Process</c> (binary, arguments, pod) on every event of it. An entry is reused only while Tetragon sends the
/// same message for the exec id (its pod can arrive after the exec, for example), and goes at the process's
/// exit. Facts filled in later (the terminal from /proc) are kept with it. Bounded; not thread-safe: the feed's
/// stream reader owns it.
/// </summary>
internal sealed class TetragonProcesses(int capacity = TetragonProcesses.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    private readonly BoundedMap<string, Entry> _entries = new(capacity);

    public TetragonProcess Of(Process process, Process? parent)
    {
        if (string.IsNullOrEmpty(process.ExecId))
        {
            return TetragonProcess.From(process, parent);
        }

        if (_entries.TryGetValue(process.ExecId, out Entry? known) && known.ParentPid == parent?.Pid && known.Source.Equals(process))
        {
            return known.Mapped;
        }

        TetragonProcess mapped = TetragonProcess.From(process, parent);
        _entries.Set(process.ExecId, new Entry(process, parent?.Pid, mapped));
        return mapped;
    }

    /// <summary>Keeps facts filled in for <paramref name="process"/> (as mapped by <see cref="Of"/>) for its later events.</summary>
    public void Filled(Process process, ProcessInfo filled)
    {
        if (_entries.TryGetValue(process.ExecId, out Entry? known) && known.Source.Equals(process))
        {
            _entries.Set(process.ExecId, known with { Mapped = known.Mapped with { Process = filled } });
        }
    }

    /// <summary>The process exited: no later event will name it.</summary>
    public void Exited(Process process) => _entries.Remove(process.ExecId, out _);

    private sealed record Entry(Process Source, uint? ParentPid, TetragonProcess Mapped);
}
