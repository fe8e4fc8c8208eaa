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
/// A process is keyed by (source, host pid, entity id); the entity id changes when a pid is reused, so a dead
/// process never lends its facts to a new one, and events without an entity id are left as they are. An exit
/// forgets the process. Every event's argv is cut here to <see cref="ArgvLimit.MaxBytes"/> (and marked), whatever
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
    public void Attach(SigsInstruments instruments) => _evictions.Attach(instruments, instruments.Drops, SigsInstruments.Tag("stage", "process_table"));

    public int Count => _processes.Count;

    /// <summary>What the remembered processes hold now, in bytes.</summary>
    public long Bytes => _processes.Weight;

    public SecurityEvent Enrich(SecurityEvent securityEvent)
    {
        if (securityEvent.Process is { Args: not null } withArgs && ArgvLimit.Cap(withArgs) is var capped && !ReferenceEquals(capped, withArgs))
        {
            securityEvent = securityEvent with { Process = capped };
        }

        if (securityEvent.Process is not { HostPid: int hostPid, EntityId: ulong entityId } process)
        {
            return securityEvent;
        }

        var key = new Key(securityEvent.Source, hostPid, entityId);
        switch (securityEvent.Name)
        {
            case EventNames.ProcessExec:
                Remember(key, process);
                return securityEvent;
            case EventNames.ProcessExit:
                _processes.Remove(key, out _);
                return securityEvent;
            default:
                if (!NeedsFacts(process) || !_processes.TryGetValue(key, out ProcessInfo? known))
                {
                    return securityEvent;
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
                    },
                };
        }
    }

    private static bool NeedsFacts(ProcessInfo process) =>
        process.Args is null || process.Interactive is null || process.Executable is null || process.Uid is null;

    private void Remember(Key key, ProcessInfo process)
    {
        long before = _processes.Evictions;
        _processes.Set(key, process);
        if (_processes.Evictions > before)
        {
            _evictions.Add(_processes.Evictions - before);
        }
    }

    private readonly record struct Key(string Source, int HostPid, ulong EntityId);
}
