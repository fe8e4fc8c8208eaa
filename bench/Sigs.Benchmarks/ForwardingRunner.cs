using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds.Nats;
using Sigs.Host.Forwarding;
using Sigs.Host.Hosting;
using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Benchmarks;

/// <summary>
/// Events per second from a forwarding node through JetStream into a correlator's engine, and memory, on this
/// machine: a real <c>nats-server -js</c> (file storage) on loopback; the node's pipeline enriches and forwards
/// SIGS-1003's events over two partitions; the correlator (one instance owning both) consumes, orders, runs them and
/// acknowledges. Node and correlator share this process and its two cores with the server. A first, shorter pass
/// warms the code (a correlator runs for days); the node's feed waits while more than <see cref="Backlog"/> events
/// wait to be published, as a feed behind a bounded queue does.
/// Run: dotnet run -c Release --project bench/Sigs.Benchmarks -- forward (SIGS_BENCH_RUNS end-to-end runs each, default 3; SIGS_BENCH_LATENESS one latenessSeconds instead of 0 and 1)
/// </summary>
internal static class ForwardingRunner
{
    private const int Backlog = 20_000;

    public static async Task RunAsync()
    {
        const int total = 300_000;
        int runs = int.TryParse(Environment.GetEnvironmentVariable("SIGS_BENCH_RUNS"), out int n) && n > 0 ? n : 3;
        await MeasureAsync(50_000, 0, together: true);
        double[] latenesses = Environment.GetEnvironmentVariable("SIGS_BENCH_LATENESS") is { } only ? [double.Parse(only, System.Globalization.CultureInfo.InvariantCulture)] : [0, 1];
        foreach (double lateness in latenesses)
        {
            var rates = new List<double>();
            for (int run = 0; run < runs; run++)
            {
                (double perSecond, double steady, double publishPerSecond, long peak) = await MeasureAsync(total, lateness, together: true);
                rates.Add(steady);
                Console.WriteLine($"forward -> JetStream -> correlator, latenessSeconds {lateness}: {steady:N0} events/s end to end in steady state " +
                    $"({perSecond:N0} over the whole run; node published at {publishPerSecond:N0} events/s), peak working set {peak / (1024 * 1024):N0} MiB");
            }

            Console.WriteLine($"  latenessSeconds {lateness}, median of {runs}: {rates.Order().ElementAt(runs / 2):N0} events/s end to end in steady state");
            (double correlatorAll, double correlator, double node, _) = await MeasureAsync(total, lateness, together: false);
            Console.WriteLine($"  one after the other: node {node:N0} events/s into JetStream, then the correlator {correlator:N0} events/s out of it in steady state ({correlatorAll:N0} over its whole run)");
        }
    }

    /// <summary>
    /// <paramref name="together"/>: node and correlator at once, the first rates end to end; otherwise the node
    /// publishes everything first and the correlator starts then, the first rates the correlator's alone. Steady:
    /// from the tenth to the ninetieth percent processed, without the start and without the last events' wait for
    /// their lateness (at latenessSeconds 1 that wait alone is a second of a three-second run).
    /// </summary>
    private static async Task<(double Consumed, double Steady, double Published, long PeakBytes)> MeasureAsync(int total, double lateness, bool together)
    {
        string store = Directory.CreateTempSubdirectory("sigs-bench-nats-").FullName;
        int port = FreePort();
        using Process server = Process.Start(new ProcessStartInfo("nats-server", ["-js", "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", store]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            await WaitForPortAsync(port);
            string url = $"nats://127.0.0.1:{port}";
            string folder = typeof(ForwardingRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PluginFolder").Value!;
            var forward = new NatsForwardOptions { Url = url, Signatures = ["SIGS-1003"], Partitions = 2, QueueCapacity = 1_000_000 };
            var nodeForwarder = new EventForwarder([forward], NullLoggerFactory.Instance, TimeProvider.System);
            using var node = new DetectionPipeline(new SigsConfig { Forward = [forward] }, new PipelineSignatures.Folder(folder), [], NullLoggerFactory.Instance, TimeProvider.System, nodeForwarder);
            nodeForwarder.Start();

            using var correlator = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(folder), [], NullLoggerFactory.Instance, TimeProvider.System);
            var feed = new NatsFeed(
                new NatsFeedOptions { Url = url, Durable = "bench", Partitions = [0, 1], PartitionCount = 2, LatenessSeconds = lateness, MaxAckPending = 100_000 },
                NullLoggerFactory.Instance.CreateLogger("bench"), NullLoggerFactory.Instance, ReconnectDelays.Default, TimeProvider.System);
            var service = new DetectionService(correlator, [feed], TimeSpan.FromSeconds(10), NullLoggerFactory.Instance);
            if (together)
            {
                await service.StartAsync(CancellationToken.None);
            }

            DateTimeOffset start = DateTimeOffset.UtcNow;
            SecurityEvent[] requests = [.. Enumerable.Range(0, 1000).Select(i => Request($"web-{i}", start))];
            var watch = Stopwatch.StartNew();
            Task<double> steady = together ? SteadyRateAsync(correlator, total) : Task.FromResult(0.0);
            IEventPublisher publisher = nodeForwarder.Publishers[0];
            for (int i = 0; i < total; i++)
            {
                while (publisher.Counts.Queued > Backlog)
                {
                    await Task.Delay(1);
                }

                SecurityEvent request = requests[i % requests.Length];
                node.Process(request with { Time = start.AddTicks(i * 10L) });
            }

            while (publisher.Counts.Published < total)
            {
                await Task.Delay(5);
            }

            double publish = total / watch.Elapsed.TotalSeconds;
            if (!together)
            {
                watch.Restart();
                steady = SteadyRateAsync(correlator, total);
                await service.StartAsync(CancellationToken.None);
            }

            while (correlator.EventsProcessed < total)
            {
                await Task.Delay(5);
            }

            watch.Stop();
            long peak = Process.GetCurrentProcess().PeakWorkingSet64;
            await service.StopAsync(CancellationToken.None);
            return (total / watch.Elapsed.TotalSeconds, await steady, publish, peak);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
            Directory.Delete(store, recursive: true);
        }
    }

    /// <summary>Events per second processed between a tenth and nine tenths of <paramref name="total"/>.</summary>
    private static async Task<double> SteadyRateAsync(DetectionPipeline correlator, int total)
    {
        long? from = null;
        while (true)
        {
            long processed = correlator.EventsProcessed;
            if (from is null && processed >= total / 10)
            {
                from = Stopwatch.GetTimestamp();
            }

            if (processed >= total * 9L / 10)
            {
                return total * 0.8 / Stopwatch.GetElapsedTime(from ?? Stopwatch.GetTimestamp()).TotalSeconds;
            }

            await Task.Delay(1);
        }
    }

    private static SecurityEvent Request(string pod, DateTimeOffset time) => new()
    {
        Time = time,
        Source = EventSources.KubernetesAudit,
        Name = EventNames.KubernetesAudit,
        Origin = EventOrigin.Host,
        Kubernetes = new KubernetesInfo { PodName = pod, Namespace = "shop" },
        Audit = new AuditInfo { Stage = "ResponseComplete", Verb = "get", User = "system:serviceaccount:shop:web", RequestingPods = [pod], RequestUri = "/api/v1/namespaces/shop/pods", ResponseCode = 200 },
        Arguments = new Dictionary<string, string> { ["auditID"] = "a" },
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (i < 300)
            {
                await Task.Delay(50);
            }
        }
    }
}
