using System.Globalization;
using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// Sigs' own probe, for nodes without a sensor: process execs and exits from the netlink process connector,
/// with the facts read from <c>/proc</c> (argv, executable, comm, parent, uid, controlling terminal, and the
/// container id and pod UID from the cgroup path). Events are handed to the engine without ever blocking the
/// kernel reader: when the engine's queue is full they are dropped and counted.
/// </summary>
internal sealed partial class NativeFeed(ILogger logger, string procRoot = "/proc") : IEventFeed
{
    /// <summary>Capability numbers (linux/capability.h).</summary>
    private const int CapNetAdmin = 12;

    private const int RememberedProcesses = 65_536;

    private readonly Dictionary<int, ulong?> _entities = [];
    private readonly Queue<int> _entityOrder = new();

    public string Name => "native";

    public FeedCounters Counters { get; } = new();

    /// <summary>Throws a <see cref="ConfigException"/> naming what is missing when the probe cannot run here.</summary>
    public static void CheckCanRun()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new ConfigException("the native probe runs on Linux only; use a sensor feed instead (--feed tracee:..., --feed falco-http:...)");
        }

        if (!HasCapability(CapNetAdmin))
        {
            throw new ConfigException("the native probe needs CAP_NET_ADMIN for the netlink process connector (run Sigs as root or grant the capability), or use a sensor feed instead: --feed tracee:unix:/var/run/tracee.sock or --feed falco-http:http://127.0.0.1:2801/");
        }
    }

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        using var connector = new ProcessConnector();
        Counters.SetConnected(true);
        LogStarted(logger);
        try
        {
            await Task.Factory.StartNew(
                () => connector.Run(e => Publish(sink, e), () => Overrun(), cancellationToken),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            Counters.SetConnected(false);
        }
    }

    private void Publish(IEventSink sink, ProcessEvent processEvent)
    {
        SecurityEvent securityEvent = processEvent.IsExec ? Exec(processEvent.Pid) : Exit(processEvent);
        if (sink.TryPublishAll([securityEvent]))
        {
            Counters.CountEvent(securityEvent.Name);
        }
        else
        {
            Counters.CountRejected();
        }
    }

    private SecurityEvent Exec(int pid)
    {
        ProcessInfo process = ProcFacts.Read(procRoot, pid, out string? containerId, out string? podUid);
        Remember(pid, process.EntityId);
        return new SecurityEvent
        {
            Time = DateTimeOffset.UtcNow,
            Source = EventSources.Native,
            Name = EventNames.ProcessExec,
            Origin = containerId is null ? EventOrigin.Host : EventOrigin.Container,
            HostName = Environment.MachineName,
            Process = process,
            Container = containerId is null ? null : new ContainerInfo { Id = containerId },
            Kubernetes = podUid is null ? null : new KubernetesInfo { PodUid = podUid },
        };
    }

    private SecurityEvent Exit(ProcessEvent exit)
    {
        ulong? entity = _entities.Remove(exit.Pid, out ulong? known) ? known : null;
        return new SecurityEvent
        {
            Time = DateTimeOffset.UtcNow,
            Source = EventSources.Native,
            Name = EventNames.ProcessExit,
            Origin = EventOrigin.Host,
            HostName = Environment.MachineName,
            Process = new ProcessInfo { Pid = exit.Pid, HostPid = exit.Pid, ParentPid = exit.ParentPid, EntityId = entity },
            Arguments = new Dictionary<string, string> { ["exit_code"] = exit.ExitCode.ToString(CultureInfo.InvariantCulture) },
        };
    }

    /// <summary>Keeps each exec'd process's entity id for its exit event; bounded, oldest forgotten first.</summary>
    private void Remember(int pid, ulong? entity)
    {
        if (_entities.TryAdd(pid, entity))
        {
            _entityOrder.Enqueue(pid);
        }
        else
        {
            _entities[pid] = entity;
        }

        while (_entities.Count > RememberedProcesses && _entityOrder.TryDequeue(out int oldest))
        {
            _entities.Remove(oldest);
        }
    }

    private void Overrun()
    {
        Counters.CountDecodeError();
        LogOverrun(logger);
    }

    private static bool HasCapability(int capability)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong effective)
            && (effective & (1UL << capability)) != 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Native probe listening to process events (netlink process connector)")]
    private static partial void LogStarted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Native probe: the kernel dropped process events (socket buffer full); counted as decode errors")]
    private static partial void LogOverrun(ILogger logger);
}
