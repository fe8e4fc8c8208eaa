using Sigs.Host.Enrichment;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// Publishes a reader's file events in order, holding back those whose process had exited when the probe read the
/// event: a <c>cat</c> can exec, read and exit within a millisecond, and its facts are then what the process
/// connector (which reads every process at its exec, on its own thread) stored. A held event waits until the
/// connector has caught up with the time the event was read (<see cref="KnownProcesses.CurrentAsOf"/>), so the
/// facts are those of the image that opened the file, not of the one before its last exec; or until
/// <see cref="MaxWait"/> has passed. The events after it wait behind it. Nobody waits on the probe, so holding
/// costs only the delay. Used by one reader thread.
/// </summary>
internal sealed class AwaitingFacts(KnownProcesses processes, Action<SecurityEvent> publish, TimeProvider clock)
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(500);

    /// <summary>Held events at most; past it the oldest goes with what is known.</summary>
    public const int Capacity = 4096;

    private readonly Queue<Held> _held = new();

    /// <summary>True while events are held (the reader then comes back within a few milliseconds).</summary>
    public bool Any => _held.Count > 0;

    /// <summary>
    /// Publishes the event <paramref name="build"/> makes from the facts of <paramref name="pid"/>, now or once they
    /// are known; <paramref name="readAt"/> is when the event was read (<see cref="Monotonic"/>).
    /// </summary>
    public void Publish(int pid, long readAt, Func<ProcessFacts, SecurityEvent> build)
    {
        ProcessFacts? facts = processes.ForFileEvent(pid);
        if (facts is not null && _held.Count == 0)
        {
            publish(build(facts));
            return;
        }

        if (_held.Count >= Capacity)
        {
            Release(force: true);
        }

        _held.Enqueue(new Held(pid, facts, readAt, clock.GetTimestamp(), build));
    }

    /// <summary>Publishes, in order, the held events whose facts are known now or whose wait is over.</summary>
    public void Release(bool force = false)
    {
        while (_held.TryPeek(out Held? held))
        {
            if (held.Facts is null && !force && processes.CurrentAsOf < held.ReadAt && clock.GetElapsedTime(held.Since) < MaxWait)
            {
                return;
            }

            _held.Dequeue();
            ProcessFacts facts = held.Facts ?? processes.Known(held.Pid) ?? new ProcessFacts(new ProcessInfo { Pid = held.Pid, HostPid = held.Pid }, null, null);
            publish(held.Build(facts));
            force = false;
        }
    }

    private sealed record Held(int Pid, ProcessFacts? Facts, long ReadAt, long Since, Func<ProcessFacts, SecurityEvent> Build);
}
