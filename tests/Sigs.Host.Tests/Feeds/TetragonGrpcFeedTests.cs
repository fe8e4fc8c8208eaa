using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Http;
using Sigs.Host.Common;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Tetragon;
using Sigs.Host.Feeds.Tetragon.Proto;
using Sigs.Host.Grpc;
using Sigs.Host.Tests.Conformance;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds;

/// <summary>The Tetragon feed against a real HTTP/2 gRPC server on a unix socket: its request, its stream's failures, Tetragon's notices.</summary>
public sealed class TetragonGrpcFeedTests : GrpcFeedTest
{
    private const string Method = "/tetragon.FineGuidanceSensors/GetEvents";
    private static readonly DateTimeOffset Start = new(2025, 11, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly TetragonSensor _sensor = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<RequestDelegate> _sessions = new();
    private IReadOnlyList<SignatureDemand> _signatures = [Demand("TRC-1018", new EventSelector(EventNames.FileOpen), new EventSelector(EventNames.FileRename)), Demand("SIGS-1004", new EventSelector(EventNames.ProcessExec))];
    private TetragonGrpcFeed? _feed;

    private string Socket => Path.Combine(Folder.Path, "tetragon.sock");

    private static SignatureDemand Demand(string id, params EventSelector[] selectors) => new(id, selectors, [], []);

    /// <summary>A read of <paramref name="path"/> by cat, pid <paramref name="pid"/>, <paramref name="second"/> s after the start.</summary>
    private static GetEventsResponse Read(int pid, string path = "/etc/kubernetes/pki/ca.key", double second = 0) =>
        TetragonSensor.FromJson(TetragonJson.FilePermission(new TetragonJson.Proc(pid, "/usr/bin/cat", path, Start, Pod: null), path, 4, Start.AddSeconds(second)));

    private async Task StartSensorAsync() => Server = await GrpcSensor.StartAsync(Socket, _sensor);

    private async Task StartRawServerAsync() =>
        Server = await FakeGrpcServer.StartAsync(Socket, Method, async context =>
        {
            await FakeGrpcServer.ReadMessageAsync(context, GetEventsRequest.Parser);
            await (_sessions.TryDequeue(out RequestDelegate? next) ? next(context) : IdleAsync(context));
        });

    private void StartFeed(TimeSpan? collapse = null, string? address = null, GrpcChannel? channel = null, ReconnectDelays? delays = null)
    {
        address ??= $"unix:{Socket}";
        channel ??= GrpcChannels.Create(GrpcAddress.Parse(address, useTls: false));
        var settings = new TetragonFeedSettings([TetragonGrpcFeed.DefaultPolicy], collapse ?? RepeatedFileAccess.DefaultWindow, Filler: null, Missing: null);
        _feed = new TetragonGrpcFeed(channel, address, settings, () => Volatile.Read(ref _signatures), Logs.CreateLogger("tetragon"), delays ?? new ReconnectDelays(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)), refresh: TimeSpan.FromMilliseconds(50));
        Running = _feed.RunAsync(Sink, Stop.Token);
    }

    private IEnumerable<int?> Pids => Sink.Events.Select(e => e.Process!.HostPid);

    private static string Describe(GetEventsRequest request) =>
        string.Join(" | ", request.AllowList.Select(f => $"{string.Join(",", f.EventSet)}{(f.PolicyNames.Count > 0 ? $" policies={string.Join(",", f.PolicyNames)}" : "")}"));

    [Fact]
    public async Task Request_AllowsWhatTheSignaturesSelect_AndIsRebuiltWhenTheyChange()
    {
        _sensor.ThenSend(Read(1)).ThenSend(Read(2));
        await StartSensorAsync();
        StartFeed();
        await Sink.WaitForCountAsync(1);

        Assert.Equal("ProcessExec | ProcessKprobe,ProcessLsm policies=sigs", Describe(Assert.Single(_sensor.Requests)));

        Volatile.Write(ref _signatures, [Demand("X-1", new EventSelector(EventNames.ProcessExit)), Demand("X-2", new EventSelector(EventNames.FileOpen, Source: EventSources.Tracee))]);
        await Sink.WaitForCountAsync(2);

        Assert.Equal([1, 2], Pids);
        Assert.Equal("ProcessExit", Describe(_sensor.Requests.Last()));
        Assert.Single(Logs.LinesContaining("the stream is reopened with the new allow list"));
        Assert.Equal(0, _feed!.Counters.Reconnects);
    }

    [Fact]
    public void Request_WithNothingSelected_AsksForNoEventRatherThanForAll()
    {
        Assert.Equal("Undef", Describe(TetragonAllowList.For([new EventSelector(EventNames.KubernetesAudit)], ["sigs"])));
        Assert.Equal("ProcessExec,ProcessExit | ProcessKprobe,ProcessLsm", Describe(TetragonAllowList.For([new EventSelector(EventSelector.Any)], [])));
    }

    [Fact]
    public async Task Stream_MalformedUnknownAndIncompleteMessages_AreCountedAndSkipped_WithoutReconnecting()
    {
        GetEventsResponse noTime = Read(9);
        noTime.Time = null;
        GetEventsResponse noProcess = Read(10);
        noProcess.ProcessKprobe.Process = null;
        GetEventsResponse noMask = Read(11);
        noMask.ProcessKprobe.Args.RemoveAt(1);
        GetEventsResponse otherHook = Read(12);
        otherHook.ProcessKprobe.FunctionName = "tcp_connect";
        _sessions.Enqueue(async context =>
        {
            await FakeGrpcServer.BeginAsync(context);
            await FakeGrpcServer.WriteMessageAsync(context, Read(1));
            await FakeGrpcServer.WriteFrameAsync(context, [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
            await FakeGrpcServer.WriteFrameAsync(context, [0x52, 0x00]); // field 10, process_tracepoint: a type Sigs does not read
            foreach (GetEventsResponse bad in (GetEventsResponse[])[noTime, noProcess, noMask, otherHook])
            {
                await FakeGrpcServer.WriteMessageAsync(context, bad);
            }

            await FakeGrpcServer.WriteMessageAsync(context, Read(2));
            await WaitUntilAbortedAsync(context);
        });
        await StartRawServerAsync();
        StartFeed();

        await Sink.WaitForCountAsync(2);

        Assert.Equal([1, 2], Pids);
        Assert.Equal(6, _feed!.Counters.DecodeErrors);
        Assert.Equal(0, _feed.Counters.Reconnects);
        Assert.Single(Logs.LinesContaining("skipped undecodable input #1: malformed GetEventsResponse message of 6 bytes"));
        Assert.Single(Logs.LinesContaining("#2: response carries no event Sigs reads"));
        Assert.Single(Logs.LinesContaining("#3: process_kprobe event has no time"));
        Assert.Single(Logs.LinesContaining("#4: process_kprobe event has no process"));
        Assert.Single(Logs.LinesContaining("#5: security_file_permission (policy sigs) has no int argument (the access mask)"));
        Assert.Single(Logs.LinesContaining("#6: process_kprobe tcp_connect (policy sigs) is not a hook Sigs maps"));
    }

    [Fact]
    public async Task Stream_TetragonsNotices_AreLoggedAndCounted_NotEvents_AndAThrottleDegradesTheFeed()
    {
        var resume = new TaskCompletionSource();
        _sensor.Then(async (stream, context) =>
        {
            await stream.WriteAsync(new GetEventsResponse { RateLimitInfo = new RateLimitInfo { NumberOfDroppedProcessEvents = 40 } });
            await stream.WriteAsync(new GetEventsResponse { ProcessThrottle = new ProcessThrottle { Type = ThrottleType.ThrottleStart, Cgroup = "/kubepods/burstable/pod1" } });
            await stream.WriteAsync(new GetEventsResponse { RateLimitInfo = new RateLimitInfo { NumberOfDroppedProcessEvents = 2 } });
            await stream.WriteAsync(Read(1));
            await resume.Task;
            await stream.WriteAsync(new GetEventsResponse { ProcessThrottle = new ProcessThrottle { Type = ThrottleType.ThrottleStop, Cgroup = "/kubepods/burstable/pod1" } });
            await stream.WriteAsync(Read(2));
            await TraceeSensor.IdleAsync(context);
        });
        await StartSensorAsync();
        StartFeed();

        await Sink.WaitForCountAsync(1);
        Assert.Equal(1, _feed!.Counters.Gauges[FeedGauge.TetragonThrottledCgroups]);
        Assert.Equal("Tetragon throttles 1 cgroup(s) (/kubepods/burstable/pod1): their events are dropped", _feed.Counters.Degraded);
        resume.SetResult();
        await Sink.WaitForCountAsync(2);

        Assert.Equal([1, 2], Pids);
        Assert.Null(_feed.Counters.Degraded);
        Assert.Equal(42, _feed.Counters.Gauges[FeedGauge.TetragonSensorDropped]);
        Assert.Equal(0, _feed.Counters.Gauges[FeedGauge.TetragonThrottledCgroups]);
        Assert.Single(Logs.LinesContaining("rate limiter dropped 40 events (40 so far)"));
        Assert.Single(Logs.LinesContaining("rate limiter dropped 2 events (42 so far)"));
        Assert.Single(Logs.LinesContaining("throttles cgroup /kubepods/burstable/pod1"));
        Assert.Single(Logs.LinesContaining("stopped throttling cgroup /kubepods/burstable/pod1"));
        Assert.Equal(0, _feed.Counters.DecodeErrors);
    }

    [Fact]
    public async Task Stream_RepeatedReads_AreCollapsedWithinTheWindow_PerProcessFileAndMode()
    {
        GetEventsResponse write = Read(1, second: 0.2);
        write.ProcessKprobe.Args[1].IntArg = 2;
        _sensor.ThenSend(
            Read(1, second: 0), Read(1, second: 0.1), write, Read(1, "/etc/kubernetes/pki/other.key", 0.3), Read(2, second: 0.4),
            Read(1, second: 0.9), Read(1, second: 1.5), Read(1, second: 1.6));
        await StartSensorAsync();
        StartFeed(collapse: TimeSpan.FromSeconds(1));

        await Sink.WaitForCountAsync(5);
        await Task.Delay(200);

        // pid 1's read at 0 s, its write, its other file, pid 2, and pid 1's read at 1.5 s (a new window).
        Assert.Equal(["1 /etc/kubernetes/pki/ca.key 0", "1 /etc/kubernetes/pki/ca.key 1", "1 /etc/kubernetes/pki/other.key 0", "2 /etc/kubernetes/pki/ca.key 0", "1 /etc/kubernetes/pki/ca.key 0"],
            Sink.Events.Select(e => $"{e.Process!.HostPid} {e.File!.Path} {e.File.Flags}"));
        Assert.Equal(3, _feed!.Counters.Gauges[FeedGauge.TetragonCollapsed]);
    }

    [Fact]
    public async Task Stream_ServerRestarted_Resumes()
    {
        _sensor.ThenSend(Read(1));
        await StartSensorAsync();
        StartFeed();
        await Sink.WaitForCountAsync(1);

        await Server!.DisposeAsync();
        await Eventually.TrueAsync(() => !_feed!.Counters.Connected, "the feed to notice the server is gone");
        _sensor.ThenSend(Read(2), Read(3));
        await StartSensorAsync();

        await Sink.WaitForCountAsync(3);
        Assert.Equal([1, 2, 3], Pids);
        Assert.Equal(1, _feed!.Counters.Reconnects);
        Assert.Single(Logs.LinesContaining("is down"));
    }

    [Fact]
    public async Task Stream_TruncatedFrame_KeepsWhatCameBefore_AndReconnects()
    {
        _sessions.Enqueue(async context =>
        {
            await FakeGrpcServer.BeginAsync(context);
            byte[] first = FakeGrpcServer.Frame(Read(1).ToByteArray());
            byte[] truncated = FakeGrpcServer.Frame([1, 2, 3], declaredLength: 100);
            await context.Response.Body.WriteAsync((byte[])[.. first, .. truncated]);
            await context.Response.Body.FlushAsync();
        });
        _sessions.Enqueue(async context =>
        {
            await FakeGrpcServer.BeginAsync(context);
            await FakeGrpcServer.WriteMessageAsync(context, Read(2));
            await WaitUntilAbortedAsync(context);
        });
        await StartRawServerAsync();
        StartFeed();

        await Sink.WaitForCountAsync(2);
        Assert.Equal([1, 2], Pids);
        Assert.Equal(1, _feed!.Counters.Reconnects);
        Assert.Contains("Unexpected end of content", Assert.Single(Logs.LinesContaining("is down")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_PeerStopsAnswering_KeepalivePingsFindItDead()
    {
        _sensor.ThenSend(Read(1));
        await StartSensorAsync();
        string relay = Path.Combine(Folder.Path, "relay.sock");
        using var proxy = new FreezableProxy(relay, Socket);
        GrpcChannel channel = GrpcChannels.Create(GrpcAddress.Parse($"unix:{relay}", useTls: false), keepAlive: (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        StartFeed(address: $"unix:{relay}", channel: channel, delays: new ReconnectDelays(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)));
        await Sink.WaitForCountAsync(1);

        proxy.Freeze();

        await Eventually.TrueAsync(() => !_feed!.Counters.Connected, "the dead peer to be found by keepalive pings", timeout: TimeSpan.FromSeconds(15));
        Assert.Single(Logs.LinesContaining("is down"));
    }
}
