using Sigs.Host.Collections;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Enrichment;

/// <summary>
/// Remembers what exec events said about each process, and fills those facts into later events of the same
/// process that lack them (Tracee's file events carry no argv or terminal).
/// </summary>
/// <remarks>
/// A process is kept by (source, node, host pid) with its entity id, which changes when a pid is reused: only the same
/// entity lends its facts, so a dead process never lends them to a new one, and events without an entity id are left
/// as they are. An exit forgets the process. An exec, and an event of a process whose exec was not seen, take the
/// parent's executable and argv from the parent's last exec when the sensor did not send them (Tracee's JSON execs
/// name only the parent's pid). Every event's argv is cut here to <see cref="ArgvLimit.MaxBytes"/> (and marked), whatever
/// the feed, so no signature, forward or finding carries more. The table is bounded in entries and in bytes
/// (<see cref="MaxBytes"/>): when full, the oldest entry is evicted and counted.
/// Not thread-safe: the engine's dispatch thread owns it.
/// </remarks>
internal sealed class ProcessTable(int capacity, long maxBytes = ProcessTable.MaxBytes)
{
    /// <summary>What the remembered processes may hold together, in bytes.</summary>
    public const long MaxBytes = 64L << 20;

    private readonly BoundedMap<Key, ProcessInfo> _processes = new(capacity, weigh: ArgvLimit.BytesOf, maxWeight: maxBytes);

    private readonly RecordedCount _evictions = new();

    public long Evictions => _evictions.Value;

    /// <summary>Records evictions on the host's instruments from now on.</summary>
    public void Attach(SigsInstruments instruments) => _evictions.Attach(instruments, instruments.Drops, SigsInstruments.DropTags("process_table"));

    public int Count => _processes.Count;

    /// <summary>What the remembered processes hold now, in bytes.</summary>
    public long Bytes => _processes.Weight;

    public SecurityEvent Enrich(SecurityEvent securityEvent)
    {
        if (securityEvent.Process is { } withArgs && ArgvLimit.Cap(withArgs) is var capped && !ReferenceEquals(capped, withArgs))
        {
            securityEvent = securityEvent with { Process = capped };
        }

        if (securityEvent.Process is not { HostPid: int hostPid, EntityId: ulong entityId } process)
        {
            return securityEvent;
        }

        var key = new Key(securityEvent.Source, securityEvent.HostName, hostPid);
        switch (securityEvent.Name)
        {
            case EventNames.ProcessExec:
                ProcessInfo exec = WithParent(key, process);
                Remember(key, exec);
                return ReferenceEquals(exec, process) ? securityEvent : securityEvent with { Process = exec };
            case EventNames.ProcessExit:
                if (_processes.TryGetValue(key, out ProcessInfo? exited) && exited.EntityId == entityId)
                {
                    _processes.Remove(key, out _);
                }

                return securityEvent;
            default:
                if (!NeedsFacts(process))
                {
                    return securityEvent;
                }

                if (!_processes.TryGetValue(key, out ProcessInfo? known) || known.EntityId != entityId)
                {
                    ProcessInfo withParent = WithParent(key, process);
                    return ReferenceEquals(withParent, process) ? securityEvent : securityEvent with { Process = withParent };
                }

                return securityEvent with
                {
                    Process = process with
                    {
                        Args = process.Args ?? known.Args,
                        ArgsTruncated = process.Args is null ? known.ArgsTruncated : process.ArgsTruncated,
                        Interactive = process.Interactive ?? known.Interactive,
                        Tty = process.Tty ?? known.Tty,
                        Executable = process.Executable ?? known.Executable,
                        Uid = process.Uid ?? known.Uid,
                        ParentPid = process.ParentPid ?? known.ParentPid,
                        UserName = process.UserName ?? known.UserName,
                        WorkingDirectory = process.WorkingDirectory ?? known.WorkingDirectory,
                        ParentExecutable = process.ParentExecutable ?? known.ParentExecutable,
                        ParentArgs = process.ParentArgs ?? known.ParentArgs,
                    },
                };
        }
    }

    private static bool NeedsFacts(ProcessInfo process) =>
        process.Args is null || process.Interactive is null || process.Executable is null || process.Uid is null
        || process.ParentExecutable is null || process.ParentArgs is null;

    /// <summary>
    /// The process with its parent's executable and argv from the parent's last exec on the same source and node, when it
    /// lacks them and that exec was seen (a parent that exec'd again since lends its new image, as /proc would).
    /// </summary>
    private ProcessInfo WithParent(Key child, ProcessInfo process)
    {
        if ((process.ParentExecutable is not null && process.ParentArgs is not null)
            || process.ParentPid is not int parentPid
            || !_processes.TryGetValue(child with { HostPid = parentPid }, out ProcessInfo? parent))
        {
            return process;
        }

        return process with
        {
            ParentExecutable = process.ParentExecutable ?? parent.Executable,
            ParentArgs = process.ParentArgs ?? parent.Args,
        };
    }

    private void Remember(Key key, ProcessInfo process)
    {
        long before = _processes.Evictions;
        _processes.Set(key, process);
        if (_processes.Evictions > before)
        {
            _evictions.Add(_processes.Evictions - before);
        }
    }

    /// <summary>A process of one node (a correlator reads many nodes' events of one source) by its host pid.</summary>
    private readonly record struct Key(string Source, string? HostName, int HostPid);
}
