using Sigs.Host.Enrichment;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// Sigs' own probe, for nodes without a sensor. Process execs and exits come from the netlink process
/// connector, with the facts read from <c>/proc</c>; file opens and renames come from fanotify, watching only
/// the folders the loaded signatures declare (<see cref="WatchPlan"/>). The plan is checked every few seconds:
/// when the signatures change, the watch is rebuilt. Events are handed to the engine without ever blocking
/// a kernel reader: when the engine's queue is full they are dropped and counted.
/// </summary>
internal sealed partial class NativeFeed(ILogger logger, Func<WatchPlan> watchPlan, TimeSpan? refreshInterval = null, FeedCounters? counters = null, TimeProvider? clock = null) : IEventFeed, IDisposable
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>Capability numbers (linux/capability.h).</summary>
    private const int CapNetAdmin = 12;
    private const int CapSysAdmin = 21;

    private readonly KnownProcesses _processes = new(clock: clock);
    private readonly Lock _probeLock = new();
    private readonly RecentLosses _losses = new(RecentLosses.DefaultQuiet);
    private FileProbe? _files;
    private long _lastDropLog;
    private long _overflowsOfEarlierProbes; // queue overflows of the file probes replaced since the start
    private long _connectorOverruns;

    public string Name => "native";

    /// <summary>The pod names the probe has read for a pod UID, if any.</summary>
    public PodNames? PodOf(string podUid) => _processes.PodOf(podUid);

    public FeedCounters Counters { get; } = counters ?? new();

    /// <summary>The file probe running now, if the signatures ask for file events.</summary>
    public FileProbe? Files
    {
        get
        {
            lock (_probeLock)
            {
                return _files;
            }
        }
    }

    /// <summary>Throws a <see cref="ConfigException"/> naming what is missing when the probe cannot run here.</summary>
    public static void CheckCanRun()
    {
        const string UseSensor = "or use a sensor feed instead: --feed tracee:unix:/var/run/tracee.sock or --feed falco-http:http://127.0.0.1:2801/";
        if (!OperatingSystem.IsLinux())
        {
            throw new ConfigException("the native probe runs on Linux only; use a sensor feed instead (--feed tracee:..., --feed falco-http:...)");
        }

        bool netAdmin = HasCapability(CapNetAdmin);
        bool sysAdmin = HasCapability(CapSysAdmin);
        if (!netAdmin || !sysAdmin)
        {
            string missing = string.Join(" and ", new[] { sysAdmin ? null : "CAP_SYS_ADMIN (fanotify)", netAdmin ? null : "CAP_NET_ADMIN (netlink process connector)" }.OfType<string>());
            throw new ConfigException($"the native probe needs {missing}: run Sigs as root or grant the capabilities, {UseSensor}");
        }
    }

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        using var connector = new ProcessConnector();
        Task processes = Task.Factory.StartNew(
            () => connector.Run(e => OnProcessEvent(sink, e), Overrun, _processes.CaughtUp, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Counters.SetConnected(true);
        LogStarted(logger);
        using var stopFiles = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task files = Task.CompletedTask;
        try
        {
            using var timer = new PeriodicTimer(refreshInterval ?? DefaultRefreshInterval, _clock);
            do
            {
                files = KeepFilesCurrent(sink, files, stopFiles.Token);
                ReportLosses();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await stopFiles.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(processes, files).ConfigureAwait(false);
            lock (_probeLock)
            {
                ReplaceProbe(null);
            }

            Counters.SetConnected(false);
        }
    }

    /// <summary>Starts, rebuilds or refreshes the file probe so it matches the signatures loaded now.</summary>
    private Task KeepFilesCurrent(IEventSink sink, Task running, CancellationToken cancellationToken)
    {
        WatchPlan plan = watchPlan();
        FileProbe? current = Files;
        if (current is not null && current.Plan.Equals(plan))
        {
            current.Marks.Refresh();
            SetWatchGauges(current.Marks);
            return running;
        }

        lock (_probeLock)
        {
            ReplaceProbe(null);
            if (plan.IsEmpty)
            {
                return running;
            }

            try
            {
                _files = new FileProbe(plan, _processes, e => Publish(sink, e), Counters, problem => LogFileProblem(logger, problem), _clock);
            }
            catch (IOException ex)
            {
                LogFileProblem(logger, ex.Message);
                return running;
            }

            LogWatching(logger, string.Join(", ", plan.Folders), _files.Marks.Marks, _files.Marks.Namespaces);
            if (SetWatchGauges(_files.Marks) is { Count: > 0 } missing)
            {
                LogFoldersFoundNowhere(logger, string.Join(", ", missing));
            }
            return Task.WhenAll(running, _files.RunAsync(cancellationToken));
        }
    }

    /// <summary>Disposes the file probe running now (keeping its count of losses) and runs <paramref name="next"/> instead.</summary>
    private void ReplaceProbe(FileProbe? next)
    {
        if (_files is { } current)
        {
            current.Dispose();
            _overflowsOfEarlierProbes += current.QueueOverflows;
        }

        _files = next;
    }

    /// <summary>
    /// Counts what the probe lost since the start (kernel queue overflows, events the engine queue refused, process
    /// events the connector's socket dropped) and says, for /healthz, that detection is degraded while losses are recent.
    /// </summary>
    private void ReportLosses()
    {
        long overflows = _overflowsOfEarlierProbes + (Files?.QueueOverflows ?? 0);
        long overruns = Interlocked.Read(ref _connectorOverruns);
        long refused = Counters.Rejected;
        Counters.SetGauge(FeedGauge.NativeQueueOverflows, overflows);
        Counters.SetDegraded(_losses.Update(overflows + overruns + refused, _clock.GetUtcNow())
            ? $"detection degraded: the native probe lost events in the last {RecentLosses.DefaultQuiet.TotalSeconds:0} s ({_losses.Recent} losses: since the start {overflows} fanotify queue overflows, {refused} events refused by the full engine queue, {overruns} process connector overruns)"
            : null);
    }

    /// <summary>Publishes the watch's size on the gauges; returns the watched folders found nowhere yet.</summary>
    private IReadOnlyList<string> SetWatchGauges(FileMarks marks)
    {
        IReadOnlyList<string> missing = marks.FoldersFoundNowhere();
        Counters.SetGauge(FeedGauge.NativeMarks, marks.Marks);
        Counters.SetGauge(FeedGauge.NativeMountNamespaces, marks.Namespaces);
        Counters.SetGauge(FeedGauge.NativeFoldersMissing, missing.Count);
        return missing;
    }

    private void OnProcessEvent(IEventSink sink, ProcessEvent processEvent)
    {
        switch (processEvent.Kind)
        {
            case ProcessEventKind.Fork:
                _processes.OnFork(processEvent.Pid, processEvent.ParentPid);
                break;
            case ProcessEventKind.Exec:
                ProcessFacts facts = _processes.OnExec(processEvent.Pid);
                Publish(sink, NativeEvents.Create(EventNames.ProcessExec, facts, facts.PodUid is { } pod ? _processes.PodOf(pod) : null, _clock.GetUtcNow()));
                Files?.Marks.OnExec(processEvent.Pid);
                break;
            default:
                Publish(sink, Exit(processEvent, _processes.OnExit(processEvent.Pid)));
                break;
        }
    }

    private void Publish(IEventSink sink, SecurityEvent securityEvent)
    {
        if (sink.TryPublishAll([securityEvent]))
        {
            Counters.CountEvent(securityEvent.Name);
            return;
        }

        Counters.CountRejected();
        long now = _clock.GetTimestamp();
        long last = Interlocked.Read(ref _lastDropLog);
        if ((last == 0 || _clock.GetElapsedTime(last, now) > TimeSpan.FromSeconds(10)) && Interlocked.CompareExchange(ref _lastDropLog, now, last) == last)
        {
            LogDropped(logger, Counters.Rejected);
        }
    }

    public void Dispose()
    {
        lock (_probeLock)
        {
            ReplaceProbe(null);
        }
    }

    private SecurityEvent Exit(ProcessEvent exit, ulong? entity) => new()
    {
        Time = _clock.GetUtcNow(),
        Source = EventSources.Native,
        Name = EventNames.ProcessExit,
        Origin = EventOrigin.Host,
        HostName = Environment.MachineName,
        Process = new ProcessInfo { Pid = exit.Pid, HostPid = exit.Pid, ParentPid = exit.ParentPid, EntityId = entity },
        Arguments = new Dictionary<string, string> { ["exit_code"] = exit.ExitCode.ToString(CultureInfo.InvariantCulture) },
    };

    private void Overrun()
    {
        Interlocked.Increment(ref _connectorOverruns);
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
}
