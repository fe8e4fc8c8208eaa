using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Http;
using Sigs.Host.Common;
using Sigs.Host.Feeds.Tracee;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Host.Grpc;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds;

/// <summary>The Tracee feed against a real HTTP/2 gRPC server on a unix socket.</summary>
public sealed class TraceeGrpcFeedTests : GrpcFeedTest
{
    private const string Method = "/tracee.v1beta1.TraceeService/StreamEvents";
    private readonly ConcurrentQueue<RequestDelegate> _sessions = new();
    private readonly ConcurrentQueue<StreamEventsRequest> _requests = new();
    private readonly TraceeSensor _sensor = new();
    private TraceeGrpcFeed? _feed;

    private string Socket => Path.Combine(Folder.Path, "tracee.sock");

    internal static Event OpenEvent(string path, uint hostPid = 100, string comm = "cat") => new()
    {
        Timestamp = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 11, 2, 10, 0, 0, TimeSpan.Zero).AddSeconds(hostPid)),
        Name = EventNames.FileOpen,
        Workload = new Workload
        {
            Process = new Process { HostPid = hostPid, Pid = 7, UniqueId = 9000 + hostPid, Thread = new Sigs.Host.Feeds.Tracee.Proto.Thread { Name = comm }, Executable = new Executable { Path = "/usr/bin/" + comm } },
            Container = new Container { Id = "c0ffee", Name = "web", Image = new ContainerImage { Name = "nginx:1" } },
            K8S = new K8s { Pod = new Pod { Name = "web-1", Uid = "u1" }, Namespace = new K8sNamespace { Name = "shop" } },
        },
        Data =
        {
            new EventValue { Name = "pathname", Str = path },
            new EventValue { Name = "flags", Int32 = 0 },
        },
    };

    /// <summary>Tracee as a Grpc.AspNetCore service (<see cref="TraceeSensor"/>).</summary>
    private async Task StartSensorAsync() => Server = await GrpcSensor.StartAsync(Socket, _sensor);

    /// <summary>A server that writes gRPC frames by hand, for what a broken sensor would send.</summary>
    private async Task StartRawServerAsync() =>
        Server = await FakeGrpcServer.StartAsync(Socket, Method, async context =>
        {
            _requests.Enqueue(await FakeGrpcServer.ReadMessageAsync(context, StreamEventsRequest.Parser));
            RequestDelegate session = _sessions.TryDequeue(out RequestDelegate? next) ? next : IdleAsync;
            await session(context);
        });

    private void StartFeed()
    {
        GrpcChannel channel = GrpcChannels.Create(GrpcAddress.Parse($"unix:{Socket}", useTls: false));
        _feed = new TraceeGrpcFeed(channel, $"unix:{Socket}", ["sigs"], Logs.CreateLogger("tracee"), new ReconnectDelays(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)));
        Running = _feed.RunAsync(Sink, Stop.Token);
    }

    private static RequestDelegate Send(params uint[] pids) => async context =>
    {
        await FakeGrpcServer.BeginAsync(context);
        foreach (uint pid in pids)
        {
            await FakeGrpcServer.WriteMessageAsync(context, new StreamEventsResponse { Event = OpenEvent($"/etc/kubernetes/pki/{pid}.key", pid) });
        }

        await WaitUntilAbortedAsync(context);
    };

    private static RequestDelegate Broken(Func<HttpContext, Task> misbehave) => async context =>
    {
        await misbehave(context);
    };

    private static Event[] Opens(params uint[] pids) => [.. pids.Select(pid => OpenEvent($"/etc/kubernetes/pki/{pid}.key", pid))];

    private IEnumerable<int?> Pids => Sink.Events.Select(e => e.Process!.HostPid);

    [Fact]
    public async Task Stream_Events_AreMappedInOrderAndPoliciesAreSent()
    {
        _sensor.ThenSend(Opens(1, 2, 3));
        await StartSensorAsync();
        StartFeed();

        await Sink.WaitForCountAsync(3);

        Assert.Equal([1, 2, 3], Pids);
        Assert.Equal(["sigs"], _sensor.Requests.First().Policies);
        SecurityEvent first = Sink.Events[0];
        Assert.Equal(EventOrigin.Container, first.Origin);
        Assert.Equal(new FileEventInfo { Path = "/etc/kubernetes/pki/1.key", Flags = 0 }, first.File);
        Assert.Equal(new KubernetesInfo { PodName = "web-1", Namespace = "shop", PodUid = "u1" }, first.Kubernetes);
        Assert.Equal(9001UL, first.Process!.EntityId);
        Assert.True(_feed!.Counters.Connected);
        Assert.Equal(3, _feed.Counters.Events);
        Assert.Single(Logs.LinesContaining("Feed tracee:unix:"));
    }

    [Fact]
    public async Task Stream_ServerKilledMidStreamAndRestarted_ResumesAndLosesNothingAfterReconnect()
    {
        _sensor.ThenSend(Opens(1, 2));
        await StartSensorAsync();
        StartFeed();
        await Sink.WaitForCountAsync(2);

        await Server!.DisposeAsync();
        await Eventually.TrueAsync(() => !_feed!.Counters.Connected, "the feed to notice the server is gone");
        await Task.Delay(300); // several failed retries while the sensor is down
        _sensor.ThenSend(Opens(3, 4, 5));
        await StartSensorAsync();

        await Sink.WaitForCountAsync(5);
        Assert.Equal([1, 2, 3, 4, 5], Pids);
        Assert.Equal(1, _feed!.Counters.Reconnects);
        Assert.Single(Logs.LinesContaining("is down"));
        Assert.Single(Logs.LinesContaining("reconnected after"));
    }

    /// <summary>Broken responses, each with what Grpc.Net.Client reports for it.</summary>
    public static TheoryData<string, string> BrokenStreams => new()
    {
        { "truncated", "StatusCode=\"Internal\", Detail=\"Error reading next message. InvalidDataException: Unexpected end of content" },
        { "oversized", "StatusCode=\"ResourceExhausted\", Detail=\"Received message exceeds the maximum configured message size." },
        { "content-type", "Bad gRPC response. Invalid content-type value: text/plain" },
        { "status", "StatusCode=\"PermissionDenied\", Detail=\"policy sigs is not allowed\"" },
        { "trailers-only", "StatusCode=\"Unavailable\", Detail=\"shutting down\"" },
        { "compressed", "StatusCode=\"Internal\", Detail=\"Request sent 'identity' grpc-encoding value with compressed message." },
        { "no-status", "No grpc-status found on response." },
    };

    [Theory]
    [MemberData(nameof(BrokenStreams))]
    public async Task Stream_BrokenResponse_IsLoggedOnceAndTheFeedReconnects(string kind, string expectedReason)
    {
        _sessions.Enqueue(Broken(async context =>
        {
            switch (kind)
            {
                case "truncated":
                    await FakeGrpcServer.BeginAsync(context);
                    await FakeGrpcServer.WriteFrameAsync(context, new byte[10], declaredLength: 100);
                    FakeGrpcServer.End(context);
                    break;
                case "oversized":
                    await FakeGrpcServer.BeginAsync(context);
                    await FakeGrpcServer.WriteFrameAsync(context, [], declaredLength: 5 * 1024 * 1024);
                    break;
                case "content-type":
                    context.Response.ContentType = "text/plain";
                    await context.Response.WriteAsync("hello");
                    break;
                case "status":
                    await FakeGrpcServer.BeginAsync(context);
                    FakeGrpcServer.End(context, 7, "policy sigs is not allowed");
                    break;
                case "trailers-only":
                    context.Response.ContentType = "application/grpc";
                    context.Response.Headers["grpc-status"] = "14";
                    context.Response.Headers["grpc-message"] = "shutting%20down";
                    break;
                case "compressed":
                    await FakeGrpcServer.BeginAsync(context);
                    await FakeGrpcServer.WriteFrameAsync(context, [1, 2, 3], flag: 1);
                    break;
                case "no-status":
                    await FakeGrpcServer.BeginAsync(context);
                    break;
            }
        }));
        _sessions.Enqueue(Send(7));
        await StartRawServerAsync();
        StartFeed();

        await Sink.WaitForCountAsync(1);

        Assert.Equal([7], Pids);
        string down = Assert.Single(Logs.LinesContaining("is down"));
        Assert.True(down.Contains(expectedReason, StringComparison.Ordinal), down);
        Assert.Equal(1, _feed!.Counters.Reconnects);
    }

    [Fact]
    public async Task Stream_MalformedProtobufFrame_IsCountedAndSkippedWithoutReconnecting()
    {
        _sessions.Enqueue(async context =>
        {
            await FakeGrpcServer.BeginAsync(context);
            await FakeGrpcServer.WriteMessageAsync(context, new StreamEventsResponse { Event = OpenEvent("/a", 1) });
            await FakeGrpcServer.WriteFrameAsync(context, [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
            await FakeGrpcServer.WriteMessageAsync(context, new StreamEventsResponse { Event = new Event { Name = "x" } });
            await FakeGrpcServer.WriteMessageAsync(context, new StreamEventsResponse { Event = OpenEvent("/b", 2) });
            await WaitUntilAbortedAsync(context);
        });
        await StartRawServerAsync();
        StartFeed();

        await Sink.WaitForCountAsync(2);

        Assert.Equal([1, 2], Pids);
        Assert.Equal(2, _feed!.Counters.DecodeErrors);
        Assert.Equal(0, _feed.Counters.Reconnects);
        Assert.Single(Logs.LinesContaining("skipped undecodable input #1: malformed StreamEventsResponse message of 6 bytes"));
        Assert.Single(Logs.LinesContaining("skipped undecodable input #2: x event has no timestamp"));
    }

    [Fact]
    public async Task Stream_NoServer_RetriesQuietlyUntilItAppears()
    {
        StartFeed();
        await Task.Delay(500);
        Assert.Single(Logs.LinesContaining("is down"));

        _sensor.ThenSend(Opens(1));
        await StartSensorAsync();

        await Sink.WaitForCountAsync(1);
        Assert.Single(Logs.LinesContaining("is down"));
    }

    [Fact]
    public async Task Stream_TimestampBeyondWhatDateTimeOffsetHolds_IsCountedAndSkipped()
    {
        Event outOfRange = OpenEvent("/etc/kubernetes/pki/far.key", 5);
        outOfRange.Timestamp = new Timestamp { Seconds = long.MaxValue / 2 };
        _sensor.ThenSend(OpenEvent("/etc/kubernetes/pki/1.key", 1), outOfRange, OpenEvent("/etc/kubernetes/pki/2.key", 2));
        await StartSensorAsync();
        StartFeed();

        await Sink.WaitForCountAsync(2);

        Assert.Equal([1, 2], Pids);
        Assert.Equal(1, _feed!.Counters.DecodeErrors);
        Assert.Equal(0, _feed.Counters.Reconnects);
        Assert.Single(Logs.LinesContaining("field 'timestamp' is out of range"));
    }

    [Fact]
    public async Task Stream_PeerStopsAnswering_KeepalivePingsFindItDeadAndTheFeedIsDown()
    {
        _sensor.ThenSend(Opens(1));
        await StartSensorAsync();
        string relay = Path.Combine(Folder.Path, "relay.sock");
        using var proxy = new FreezableProxy(relay, Socket);
        GrpcChannel channel = GrpcChannels.Create(GrpcAddress.Parse($"unix:{relay}", useTls: false), keepAlive: (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        _feed = new TraceeGrpcFeed(channel, $"unix:{relay}", [], Logs.CreateLogger("tracee"), new ReconnectDelays(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)));
        Running = _feed.RunAsync(Sink, Stop.Token);
        await Sink.WaitForCountAsync(1);

        // The stream is idle and the relay now swallows everything: only a keepalive ping can tell.
        proxy.Freeze();

        await Eventually.TrueAsync(() => !_feed.Counters.Connected, "the dead peer to be found by keepalive pings", timeout: TimeSpan.FromSeconds(15));
        Assert.Single(Logs.LinesContaining("is down"));
    }

    [Fact]
    public async Task Stream_GoodMessagesThenATruncatedFrameInOneWrite_KeepsTheGoodOnesAndReconnects()
    {
        _sessions.Enqueue(async context =>
        {
            await FakeGrpcServer.BeginAsync(context);
            byte[] first = FakeGrpcServer.Frame(new StreamEventsResponse { Event = OpenEvent("/etc/kubernetes/pki/1.key", 1) }.ToByteArray());
            byte[] second = FakeGrpcServer.Frame(new StreamEventsResponse { Event = OpenEvent("/etc/kubernetes/pki/2.key", 2) }.ToByteArray());
            byte[] truncated = FakeGrpcServer.Frame([1, 2, 3], declaredLength: 100);
            await context.Response.Body.WriteAsync((byte[])[.. first, .. second, .. truncated]);
            await context.Response.Body.FlushAsync();
        });
        _sessions.Enqueue(Send(3));
        await StartRawServerAsync();
        StartFeed();

        await Sink.WaitForCountAsync(3);

        Assert.Equal([1, 2, 3], Pids);
        Assert.Equal(1, _feed!.Counters.Reconnects);
    }
}
