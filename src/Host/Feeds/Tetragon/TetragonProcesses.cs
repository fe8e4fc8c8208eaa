using Sigs.Host.Collections;
using Sigs.Host.Feeds.Tetragon.Proto;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tetragon;

/// <summary>
/// Each process's contract view, made once per process rather than once per event: Tetragon repeats the whole
/// <c>Process</c> (binary, arguments, pod) on every event of it. An entry is reused only while Tetragon sends the
/// same values for the exec id in every field the view is made from (its pod can arrive after the exec, for
/// example), and goes at the process's exit. Facts looked up later (the terminal from /proc) are kept with it, found or not, so /proc is asked once
/// per process. Bounded; not thread-safe: the feed's stream reader owns it.
/// </summary>
internal sealed class TetragonProcesses(int capacity = TetragonProcesses.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    private readonly BoundedMap<string, Entry> _entries = new(capacity);
    private Entry? _last;

    /// <summary>True when the process <see cref="Of"/> returned last had its missing facts looked up already.</summary>
    public bool LastLookedUp => _last?.LookedUp == true;

    public TetragonProcess Of(Process process, Process? parent)
    {
        if (string.IsNullOrEmpty(process.ExecId))
        {
            _last = null;
            return TetragonProcess.From(process, parent);
        }

        if (_entries.TryGetValue(process.ExecId, out Entry? known) && known.ParentPid == parent?.Pid && SameView(known.Source, process))
        {
            _last = known;
            return known.Mapped;
        }

        TetragonProcess mapped = TetragonProcess.From(process, parent);
        _last = new Entry(process, parent?.Pid, mapped, LookedUp: false);
        _entries.Set(process.ExecId, _last);
        return mapped;
    }

    /// <summary>Keeps what the lookup of the last process's missing facts gave (null: nothing) for its later events.</summary>
    public void LookedUp(ProcessInfo? filled)
    {
        if (_last is { } last)
        {
            _last = last with { Mapped = filled is null ? last.Mapped : last.Mapped with { Process = filled }, LookedUp = true };
            _entries.Set(last.Source.ExecId, _last);
        }
    }

    /// <summary>The process exited: no later event will name it.</summary>
    public void Exited(Process process)
    {
        _entries.Remove(process.ExecId, out _);
        _last = null;
    }

    /// <summary>True when the fields <see cref="TetragonProcess.From"/> reads are equal (cheaper than the whole message's equality).</summary>
    private static bool SameView(Process a, Process b) =>
        a.Pid == b.Pid && a.Uid == b.Uid
        && string.Equals(a.Binary, b.Binary, StringComparison.Ordinal)
        && string.Equals(a.Arguments, b.Arguments, StringComparison.Ordinal)
        && string.Equals(a.Docker, b.Docker, StringComparison.Ordinal)
        && SamePod(a.Pod, b.Pod);

    private static bool SamePod(Pod? a, Pod? b) =>
        ReferenceEquals(a, b)
        || (a is not null && b is not null
            && string.Equals(a.Name, b.Name, StringComparison.Ordinal)
            && string.Equals(a.Namespace, b.Namespace, StringComparison.Ordinal)
            && string.Equals(a.Uid, b.Uid, StringComparison.Ordinal)
            && string.Equals(a.Container?.Id, b.Container?.Id, StringComparison.Ordinal)
            && string.Equals(a.Container?.Name, b.Container?.Name, StringComparison.Ordinal)
            && string.Equals(a.Container?.Image?.Name, b.Container?.Image?.Name, StringComparison.Ordinal)
            && a.Container?.Pid == b.Container?.Pid);

    private sealed record Entry(Process Source, uint? ParentPid, TetragonProcess Mapped, bool LookedUp);
}
