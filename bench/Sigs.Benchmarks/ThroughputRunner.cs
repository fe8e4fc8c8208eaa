using Sigs.Host.Enrichment;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.Tetragon;
using Sigs.Host.Feeds.Tracee;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Host.Grpc;
using Sigs.Host.Hosting;
using Sigs.Host.Pipeline;
using Sigs.Plugins;
using TetragonProto = Sigs.Host.Feeds.Tetragon.Proto;

namespace Sigs.Benchmarks;

/// <summary>
/// End-to-end throughput through the production path (feed -> bounded queue -> engine loop with every shipped
/// signature): a Tracee-compatible gRPC stream over a unix socket, and Falco alerts POSTed to the http feed.
/// Run: dotnet run -c Release --project bench/Sigs.Benchmarks -- throughput
/// </summary>
internal static class ThroughputRunner
{
    /// <param name="only">One of tracee, tetragon, falco; null for all.</param>
    public static async Task RunAsync(string? only = null)
    {
        if (only is null or "tracee")
        {
            await ReportAsync("Tracee", TraceeStreamAsync);
        }

        if (only is null or "tetragon")
        {
            await ReportAsync("Tetragon", TetragonStreamAsync);
        }

        if (only is null or "falco")
        {
            Console.WriteLine($"Falco http_output endpoint (8 concurrent senders): {await FalcoHttpAsync(100_000):N0} events/s");
        }
    }

    /// <summary>A gRPC feed into the engine next to its floor, in the same run.</summary>
    private static async Task ReportAsync(string sensor, Func<int, bool, Task<double>> stream)
    {
        double floor = await stream(2_000_000, false);
        double engine = await stream(2_000_000, true);
        Console.WriteLine($"{sensor} gRPC stream (unix socket): {engine:N0} events/s into the engine; floor (the stream received and parsed by the gRPC client, then discarded) {floor:N0} events/s; ratio {engine / floor:F2}");
    }

    private static DetectionPipeline Runtime()
    {
        string folder = typeof(ThroughputRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PluginFolder").Value!;
        return new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(folder), [], NullLoggerFactory.Instance, TimeProvider.System);
    }

    /// <summary>A realistic mix: execs, opens under watched folders that do not match, and exits.</summary>
    private static Event[] TraceeEvents()
    {
        var events = new List<Event>();
        for (uint i = 0; i < 1000; i++)
        {
            var process = new Sigs.Host.Feeds.Tracee.Proto.Process { HostPid = 10_000 + i, Pid = 1 + (i % 50), UniqueId = 50_000 + i, Thread = new Sigs.Host.Feeds.Tracee.Proto.Thread { Name = i % 3 == 0 ? "cat" : "python3" }, Executable = new Executable { Path = "/usr/bin/cat" } };
            var workload = new Workload { Process = process, Container = new Container { Id = "3f2a9c8e1b7d4e6f", Name = "web", Image = new ContainerImage { Name = "nginx:1.27" } }, K8S = new K8s { Pod = new Pod { Name = "web-1", Uid = "u1" }, Namespace = new K8sNamespace { Name = "shop" } } };
            Timestamp time = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddYears(55).AddMilliseconds(i));
            events.Add(new Event { Timestamp = time, Name = EventNames.ProcessExec, Workload = workload, Data =
            {
                new EventValue { Name = "pathname", Str = "/usr/bin/cat" },
                new EventValue { Name = "argv", StrArray = new StringArray { Value = { "cat", "/app/config.yaml" } } },
                new EventValue { Name = "stdin_type", Str = "S_IFIFO" },
                new EventValue { Name = "stdin_path", Str = "pipe:[1]" },
            } });
            events.Add(new Event { Timestamp = time, Name = EventNames.FileOpen, Workload = workload, Data =
            {
                new EventValue { Name = "pathname", Str = "/var/run/secrets/kubernetes.io/serviceaccount/namespace" },
                new EventValue { Name = "flags", Str = "O_RDONLY|O_LARGEFILE" },
                new EventValue { Name = "dev", UInt32 = 2049 },
                new EventValue { Name = "inode", UInt64 = 1234 },
            } });
            events.Add(new Event { Timestamp = time, Name = EventNames.ProcessExit, Workload = workload, Data = { new EventValue { Name = "exit_code", Int64 = 0 } } });
        }

        return [.. events];
    }

    /// <summary>
    /// Tetragon's events for the same mix, as <c>tetra getevents</c> shows them: process_exec, a
    /// security_file_permission read under a watched folder that matches no signature, process_exit. Pids are
    /// above any pid_max, so the terminal lookup in /proc finds no process (one failed read per process).
    /// </summary>
    private static TetragonProto.GetEventsResponse[] TetragonEvents()
    {
        var responses = new List<TetragonProto.GetEventsResponse>();
        for (uint i = 0; i < 1000; i++)
        {
            Timestamp time = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddYears(55).AddMilliseconds(i));
            var process = new TetragonProto.Process
            {
                ExecId = Convert.ToBase64String(Encoding.UTF8.GetBytes($"node-1:{1_000_000 + i}:{4_200_000 + i}")),
                Pid = 4_200_000 + i,
                Uid = 0,
                Binary = i % 3 == 0 ? "/usr/bin/cat" : "/usr/bin/python3",
                Arguments = "/app/config.yaml --verbose",
                StartTime = time,
                Pod = new TetragonProto.Pod { Namespace = "shop", Name = "web-1", Uid = "u1", Container = new TetragonProto.Container { Id = "containerd://3f2a9c8e1b7d4e6f", Name = "web", Image = new TetragonProto.Image { Name = "nginx:1.27" }, Pid = 1 + (i % 50) } },
            };
            responses.Add(new TetragonProto.GetEventsResponse { ProcessExec = new TetragonProto.ProcessExec { Process = process }, NodeName = "node-1", Time = time });
            responses.Add(new TetragonProto.GetEventsResponse
            {
                ProcessKprobe = new TetragonProto.ProcessKprobe
                {
                    Process = process,
                    FunctionName = "security_file_permission",
                    PolicyName = "sigs",
                    Args = { new TetragonProto.KprobeArgument { FileArg = new TetragonProto.KprobeFile { Path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace", Permission = "-rw-r--r--" } }, new TetragonProto.KprobeArgument { IntArg = 4 } },
                },
                NodeName = "node-1",
                Time = time,
            });
            responses.Add(new TetragonProto.GetEventsResponse { ProcessExit = new TetragonProto.ProcessExit { Process = process }, NodeName = "node-1", Time = time });
        }

        return [.. responses];
    }

    /// <param name="intoEngine">False: the floor, the same stream read by Grpc.Net.Client's generated client, each message parsed and dropped.</param>
    private static Task<double> TraceeStreamAsync(int total, bool intoEngine) =>
        GrpcStreamAsync(
            "/tracee.v1beta1.TraceeService/StreamEvents",
            Frames(TraceeEvents().Select(e => new StreamEventsResponse { Event = e })),
            3000,
            total,
            intoEngine,
            socket => new TraceeGrpcFeed(GrpcChannels.Create(GrpcAddress.Parse($"unix:{socket}", false)), socket, [], NullLogger.Instance, ReconnectDelays.Default),
            channel => new TraceeService.TraceeServiceClient(channel).StreamEvents(new StreamEventsRequest()).ResponseStream);

    /// <summary>
    /// The Tetragon feed as configured by default for a local socket (repeats collapsed, terminal from /proc),
    /// except that the collapse window is 0: the batch repeats, and every event must reach the engine to be counted.
    /// </summary>
    private static Task<double> TetragonStreamAsync(int total, bool intoEngine) =>
        GrpcStreamAsync(
            "/tetragon.FineGuidanceSensors/GetEvents",
            Frames(TetragonEvents()),
            3000,
            total,
            intoEngine,
            socket => new TetragonGrpcFeed(
                GrpcChannels.Create(GrpcAddress.Parse($"unix:{socket}", false)),
                socket,
                new TetragonFeedSettings([TetragonGrpcFeed.DefaultPolicy], TimeSpan.Zero, new ProcFactFiller(), null),
                () => [],
                NullLogger.Instance,
                ReconnectDelays.Default),
            channel => new TetragonProto.FineGuidanceSensors.FineGuidanceSensorsClient(channel).GetEvents(new TetragonProto.GetEventsRequest()).ResponseStream);

    /// <param name="intoEngine">False: the floor, the same stream read by Grpc.Net.Client's generated client, each message parsed and dropped.</param>
    private static async Task<double> GrpcStreamAsync<TResponse>(string path, byte[] batch, int perBatch, int total, bool intoEngine, Func<string, IEventFeed> feed, Func<Grpc.Net.Client.GrpcChannel, Grpc.Core.IAsyncStreamReader<TResponse>> floorStream)
    {
        string socket = Path.Combine(Path.GetTempPath(), $"sigs-bench-{Environment.ProcessId}.sock");
        File.Delete(socket);
        await using WebApplication server = await StartServerAsync(k => k.ListenUnixSocket(socket, l => l.Protocols = HttpProtocols.Http2), path, async context =>
        {
            context.Response.ContentType = "application/grpc";
            await context.Response.StartAsync();
            for (int sent = 0; sent < total; sent += perBatch)
            {
                await context.Response.Body.WriteAsync(batch);
            }

            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });

        double rate;
        if (intoEngine)
        {
            using DetectionPipeline runtime = Runtime();
            rate = await MeasureAsync(runtime, feed(socket), total, () => Task.CompletedTask);
        }
        else
        {
            using Grpc.Net.Client.GrpcChannel channel = GrpcChannels.Create(GrpcAddress.Parse($"unix:{socket}", false));
            Grpc.Core.IAsyncStreamReader<TResponse> responses = floorStream(channel);
            var watch = Stopwatch.StartNew();
            int received = 0;
            while (received < total && await responses.MoveNext(CancellationToken.None))
            {
                received++;
            }

            rate = received / watch.Elapsed.TotalSeconds;
        }

        File.Delete(socket);
        return rate;
    }

    private static async Task<double> FalcoHttpAsync(int total)
    {
        int port = FreePort();
        using DetectionPipeline runtime = Runtime();
        var feed = new FalcoHttpFeed($"http://127.0.0.1:{port}/", new ReceiverLimits(FalcoHttpFeed.DefaultMaxBodyBytes, MaxConcurrentRequests: 64), WebAccess.Open, NullLogger.Instance);
        byte[] alert = Encoding.UTF8.GetBytes("""{"hostname":"node-2","output":"x","priority":"Notice","rule":"Sigs process exec with credential arguments","source":"syscall","tags":["sigs"],"time":"2025-11-02T10:00:12.000000000Z","output_fields":{"evt.type":"execve","evt.time":1762077612000000000,"proc.pid":7301,"proc.vpid":7301,"proc.ppid":7290,"proc.name":"cat","proc.exepath":"/usr/bin/cat","proc.exe":"cat","proc.args":"/app/config.yaml","proc.cmdline":"cat /app/config.yaml","proc.tty":0,"user.uid":0,"container.id":"host","container.name":"host","container.image.repository":null,"k8s.pod.name":null,"k8s.ns.name":null}}""");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 });
        var url = new Uri($"http://127.0.0.1:{port}/");
        return await MeasureAsync(runtime, feed, total, async () =>
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async sender =>
            {
                for (int i = sender; i < total; i += 8)
                {
                    using var content = new ByteArrayContent(alert);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using HttpResponseMessage response = await http.PostAsync(url, content);
                    response.EnsureSuccessStatusCode();
                }
            }));
        }, waitForListen: () => feed.BoundAddress is not null);
    }

    /// <summary>Runs the host's detection service with one feed until the engine has processed <paramref name="total"/> events.</summary>
    private static async Task<double> MeasureAsync(DetectionPipeline runtime, IEventFeed feed, int total, Func<Task> drive, Func<bool>? waitForListen = null)
    {
        var service = new DetectionService(runtime, [feed], TimeSpan.FromSeconds(10), NullLoggerFactory.Instance);

        // As sigs run does: the /metrics provider listens, and every count is recorded where it is counted.
        using OpenTelemetry.Metrics.MeterProvider metrics = Sigs.Host.Admin.PrometheusMetrics.Create();
        using SigsMeter meter = SigsMeter.Create();
        if (Environment.GetEnvironmentVariable("SIGS_BENCH_NO_METRICS") != "1") // set to compare without the instruments
        {
            HostMetrics.Register(meter.Meter, runtime, service);
        }
        await service.StartAsync(CancellationToken.None);
        while (waitForListen is not null && !waitForListen())
        {
            await Task.Delay(10);
        }

        var watch = Stopwatch.StartNew();
        Task driving = drive();
        while (runtime.EventsProcessed < total)
        {
            await Task.Delay(5);
        }

        watch.Stop();
        await driving;
        await service.StopAsync(CancellationToken.None);
        return total / watch.Elapsed.TotalSeconds;
    }

    private static byte[] Frames(IEnumerable<IMessage> messages)
    {
        using var buffer = new MemoryStream();
        Span<byte> header = stackalloc byte[5];
        foreach (IMessage message in messages)
        {
            byte[] payload = message.ToByteArray();
            BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)payload.Length);
            buffer.Write(header);
            buffer.Write(payload);
        }

        return buffer.ToArray();
    }

    private static async Task<WebApplication> StartServerAsync(Action<KestrelServerOptions> listen, string path, RequestDelegate handler)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(listen);
        WebApplication app = builder.Build();
        app.MapPost(path, handler);
        await app.StartAsync();
        return app;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
