using Sigs.Host.Enrichment;
using Grpc.Net.Client;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Contract;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Tetragon;
using Sigs.Host.Grpc;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;
using static Sigs.Host.Tests.Conformance.TetragonJson;

namespace Sigs.Host.Tests.Conformance;

/// <summary>
/// Tetragon as it really runs: events in <c>tetra getevents -o json</c> form, sent by a real Grpc.AspNetCore
/// <c>FineGuidanceSensors</c> server on a unix socket, read by the tetragon feed, run through the shipped
/// signatures. Cases that need a terminal use a real process on this machine (Tetragon never sends one: the feed
/// fills it from /proc). docs/feeds.md's Tetragon table says the same.
/// </summary>
public sealed class TetragonConformanceTests : IDisposable
{
    private const int NoSuchPid = 4_190_001; // above any pid this machine hands out (pid_max 4194304, and far from it)
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Proc Host(string binary, string arguments, int pid = NoSuchPid) => new(pid, binary, arguments, Now.AddMinutes(-1), Pod: null);

    private static Proc InPod(string binary, string arguments, int pid = NoSuchPid) => new(pid, binary, arguments, Now.AddMinutes(-1));

    /// <summary>Which process a case's events come from.</summary>
    public enum Who
    {
        /// <summary>A pid no process has: /proc cannot lend a terminal.</summary>
        Nobody,

        /// <summary>A real process with a terminal, its real start time.</summary>
        Terminal,

        /// <summary>A real process without a terminal.</summary>
        NoTerminal,

        /// <summary>A process that has exited.</summary>
        Gone,

        /// <summary>A real process with a terminal, but the event's start time is an hour before it: its pid was reused.</summary>
        Reused,
    }

    /// <summary>Each case: its process, the events (built for that process), whether the audit answer follows, and the findings expected.</summary>
    private static readonly Dictionary<string, (Who Who, Func<Proc, string[]> Lines, bool Audit, string[] Findings)> Cases = new()
    {
        ["cat reads the control plane's key on the host"] = (Who.Nobody, _ =>
            [FilePermission(Host("/usr/bin/cat", "/etc/kubernetes/pki/apiserver.key"), "/etc/kubernetes/pki/apiserver.key", 4, Now)],
            false, ["TRC-1018 security_file_open"]),
        ["kube-apiserver reads its own key"] = (Who.Nobody, _ =>
            [FilePermission(Host("/usr/local/bin/kube-apiserver", "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key"), "/etc/kubernetes/pki/apiserver.key", 4, Now)],
            false, []),
        ["a write under the PKI folder"] = (Who.Nobody, _ =>
            [FilePermission(Host("/usr/bin/tee", "/etc/kubernetes/pki/new.crt"), "/etc/kubernetes/pki/new.crt", 2, Now)],
            false, []),
        ["cat's three reads of one key are one access"] = (Who.Nobody, _ =>
        [
            FilePermission(Host("/usr/bin/cat", "/etc/kubernetes/pki/sa.key"), "/etc/kubernetes/pki/sa.key", 4, Now),
            FilePermission(Host("/usr/bin/cat", "/etc/kubernetes/pki/sa.key"), "/etc/kubernetes/pki/sa.key", 4, Now.AddMilliseconds(1)),
            FilePermission(Host("/usr/bin/cat", "/etc/kubernetes/pki/sa.key"), "/etc/kubernetes/pki/sa.key", 4, Now.AddMilliseconds(2)),
            FilePermission(Host("/usr/bin/cat", "/etc/kubernetes/pki/sa.key"), "/etc/kubernetes/pki/sa.pub", 4, Now.AddMilliseconds(3)),
        ], false, ["TRC-1018 security_file_open", "TRC-1018 security_file_open"]),
        ["mv renames the signing key out of the PKI folder"] = (Who.Nobody, _ =>
            [Rename(Host("/usr/bin/mv", "/etc/kubernetes/pki/sa.key /tmp/.x/sa.key"), "/etc/kubernetes/pki/sa.key", "/tmp/.x/sa.key", Now)],
            false, ["TRC-1018 security_inode_rename"]),
        ["cat with the AWS credentials in its arguments"] = (Who.Nobody, _ =>
            [Exec(Host("/usr/bin/cat", "/root/.aws/credentials"), Now)],
            false, ["SIGS-1004 sched_process_exec"]),
        ["an argument with a space, quoted by Tetragon's join"] = (Who.Nobody, _ =>
            [Exec(Host("/usr/bin/cp", "\"/home/dev/my backup/.aws/credentials\" /tmp/c"), Now)],
            false, ["SIGS-1004 sched_process_exec"]),
        ["an interactive process in a pod reads the kubelet's certificate"] = (Who.Terminal, p =>
            [Exec(p, Now), FilePermission(p, "/var/lib/kubelet/pki/kubelet.crt", 4, Now.AddSeconds(1))],
            false, ["SIGS-1001 security_file_open"]),
        ["the same read by a process without a terminal"] = (Who.NoTerminal, p =>
            [FilePermission(p, "/var/lib/kubelet/pki/kubelet.crt", 4, Now)],
            false, []),
        ["the same read by a process gone since"] = (Who.Gone, p =>
            [FilePermission(p, "/var/lib/kubelet/pki/kubelet.crt", 4, Now)],
            false, []),
        ["the same read by a process whose pid a terminal's process has now"] = (Who.Reused, p =>
            [FilePermission(p, "/var/lib/kubelet/pki/kubelet.crt", 4, Now)],
            false, []),
        ["an interactive token read, then an API request as the pod"] = (Who.Terminal, p =>
            [FilePermission(p, "/var/run/secrets/kubernetes.io/serviceaccount/..2025_11_02_10_00_00.123456789/token", 4, Now)],
            true, ["SIGS-1002 security_file_open", "SIGS-1003 k8s_audit"]),
        ["the token read without a terminal, then the API request"] = (Who.NoTerminal, p =>
            [FilePermission(p, "/var/run/secrets/kubernetes.io/serviceaccount/token", 4, Now)],
            true, []),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task ShippedSignatures_FireOnTetragonsEvents_WhereTheFactsAllow(string name)
    {
        (Who who, Func<Proc, string[]> lines, bool audit, string[] expected) = Cases[name];
        using RunningProcess? real = who is Who.Terminal or Who.NoTerminal or Who.Reused
            ? await (who == Who.NoTerminal ? RunningProcess.WithoutTerminalAsync() : RunningProcess.WithTerminalAsync())
            : null;
        Proc process = who switch
        {
            Who.Nobody => InPod("/usr/bin/sleep", "300"),
            Who.Gone => InPod("/usr/bin/true", "", await RunningProcess.GonePidAsync()),
            Who.Reused => InPod("/usr/bin/sleep", "300", real!.Pid) with { Start = real.StartTime.AddHours(-1) },
            _ => InPod("/usr/bin/sleep", "300", real!.Pid) with { Start = real.StartTime },
        };
        string[] sent = lines(process);

        using var runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [new CollectingOutput()], new CapturingLoggerFactory(), TimeProvider.System);
        IReadOnlyList<SecurityEvent> events = await StreamAsync(sent, runtime.Demands, expectedEvents: sent.Length - Repeats(name));

        Assert.All(events, e => Assert.Equal(EventSources.Tetragon, e.Source));
        Assert.Equal(expected, Findings(runtime, events, audit));
    }

    [Fact]
    public async Task Mapping_CarriesThePodContainerProcessAndAccessMode()
    {
        using RunningProcess real = await RunningProcess.WithTerminalAsync();
        Proc process = InPod("/usr/bin/sleep", "300 \"a b\"", real.Pid) with { Start = real.StartTime };
        using var runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [], new CapturingLoggerFactory(), TimeProvider.System);

        IReadOnlyList<SecurityEvent> events = await StreamAsync(
            [Exec(process, Now), FilePermission(process, "/var/lib/kubelet/pki/kubelet.crt", 6, Now), Exit(process, Now.AddSeconds(2))], runtime.Demands, 3);

        Assert.Equal([EventNames.ProcessExec, EventNames.FileOpen, EventNames.ProcessExit], events.Select(e => e.Name));
        SecurityEvent open = events[1];
        Assert.Equal(EventOrigin.Container, open.Origin);
        Assert.Equal(new ContainerInfo { Id = ContainerId, Name = "web", Image = "docker.io/library/nginx:1.27" }, open.Container);
        Assert.Equal(new KubernetesInfo { PodName = "web-7", Namespace = "shop", PodUid = "5b0c1d2e-7f3a-4b5c-9d8e-1f2a3b4c5d6e" }, open.Kubernetes);
        Assert.Equal(new FileEventInfo { Path = "/var/lib/kubelet/pki/kubelet.crt", Flags = OpenFlags.ReadWrite }, open.File); // MAY_READ|MAY_WRITE
        Assert.Equal(Node, open.HostName);
        ProcessInfo facts = open.Process!;
        Assert.Equal(real.Pid, facts.HostPid);
        Assert.Equal(12, facts.Pid); // the pid inside the container
        Assert.Equal(1, facts.ParentPid);
        Assert.Equal(["/usr/bin/sleep", "300", "a b"], facts.Args);
        Assert.True(facts.Interactive); // from /proc: Tetragon has no terminal
        Assert.NotNull(facts.Tty);
        Assert.Equal("sleep", facts.Name); // the comm exec gives: Tetragon sends none
        Assert.Equal("/", facts.WorkingDirectory);
        Assert.Equal("/bin/sh", facts.ParentExecutable); // from the event's parent
        Assert.Equal(["/bin/sh"], facts.ParentArgs);
        Assert.Single(events.Select(e => e.Process!.EntityId).Distinct()); // one exec_id, one entity
    }

    /// <summary>Events the feed collapses in a case (repeats of one access).</summary>
    private static int Repeats(string name) => name.StartsWith("cat's three reads", StringComparison.Ordinal) ? 2 : 0;

    /// <summary>The events through <c>TetragonGrpcFeed</c> from a real gRPC server.</summary>
    private async Task<IReadOnlyList<SecurityEvent>> StreamAsync(string[] lines, Func<IReadOnlyList<SignatureDemand>> signatures, int expectedEvents)
    {
        string socket = Path.Combine(_folder.Path, $"tetragon-{Guid.NewGuid():N}.sock");
        var sensor = new TetragonSensor().ThenSendJson(lines);
        await using GrpcSensor server = await GrpcSensor.StartAsync(socket, sensor);
        var sink = new CollectingEventSink();
        using var stop = new CancellationTokenSource();
        GrpcChannel channel = GrpcChannels.Create(GrpcAddress.Parse($"unix:{socket}", useTls: false));
        var settings = new TetragonFeedSettings([TetragonGrpcFeed.DefaultPolicy], RepeatedFileAccess.DefaultWindow, new ProcFactFiller(), null);
        var feed = new TetragonGrpcFeed(channel, $"unix:{socket}", settings, signatures, new CapturingLoggerFactory().CreateLogger("tetragon"), ReconnectDelays.Default);
        Task running = feed.RunAsync(sink, stop.Token);
        await sink.WaitForCountAsync(expectedEvents);
        await Task.Delay(100); // nothing more arrives than expected
        await stop.CancelAsync();
        await running;
        Assert.Equal(expectedEvents, sink.Events.Count);
        Assert.Equal(0, feed.Counters.DecodeErrors);
        return sink.Events;
    }

    /// <summary>The findings the shipped signatures give for the events (and an API request as pod web-7 20 s later), as "ID event".</summary>
    private static string[] Findings(DetectionPipeline runtime, IReadOnlyList<SecurityEvent> events, bool audit)
    {
        foreach (SecurityEvent e in events)
        {
            runtime.Process(e);
        }

        if (audit)
        {
            runtime.Process(Feeds.DecodeHelper.Single(AuditOfPod(Now.AddSeconds(20)), InputFormat.KubernetesAudit));
        }

        runtime.Findings.Flush();
        var output = (CollectingOutput)runtime.Findings.Outputs[0];
        return [.. output.Findings.Select(f => $"{f.Signature.Id} {f.Event.Name}")];
    }

    private static string AuditOfPod(DateTimeOffset time) => $$$"""
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/secrets","verb":"list","user":{"username":"system:serviceaccount:shop:web","extra":{"authentication.kubernetes.io/pod-name":["web-7"]}},"responseStatus":{"code":200},"requestReceivedTimestamp":"{{{Time(time)}}}","stageTimestamp":"{{{Time(time.AddMilliseconds(10))}}}"}
        """;
}
