using Google.Protobuf.WellKnownTypes;
using Sigs.Host.Common;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.Falco.Proto;
using Sigs.Host.Grpc;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds;

/// <summary>The Falco gRPC output feed against a real server: bidirectional <c>sub</c> with keepalive requests.</summary>
public sealed class FalcoGrpcFeedTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CollectingEventSink _sink = new();

    public void Dispose() => _folder.Dispose();

    private static response Alert(string path) => new()
    {
        Time = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 11, 2, 10, 0, 0, TimeSpan.Zero)),
        Priority = priority.Warning,
        Rule = "Sigs file open",
        Hostname = "node-2",
        Source = "syscall",
        OutputFields =
        {
            ["evt.type"] = "openat",
            ["fd.name"] = path,
            ["evt.arg.flags"] = "O_RDONLY",
            ["proc.name"] = "head",
            ["proc.pid"] = "7101",
            ["proc.tty"] = "34816",
            ["container.id"] = "9e8d7c6b5a4f",
            ["k8s.pod.name"] = "<NA>",
        },
    };

    private static FalcoSensor Sensor() => new(n => Alert($"/var/lib/kubelet/pki/{n}.crt"));

    private FalcoGrpcFeed Feed(GrpcAddress address, string name, GrpcTlsOptions? tls = null) =>
        new(GrpcChannels.Create(address, tls), name, _logs.CreateLogger("falco"), new ReconnectDelays(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)));

    private async Task RunFeedUntilAsync(FalcoGrpcFeed feed, int events)
    {
        using var stop = new CancellationTokenSource();
        Task running = feed.RunAsync(_sink, stop.Token);
        await _sink.WaitForCountAsync(events);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Sub_KeepsSendingRequestsAboutOnceASecond_AndMapsResponses()
    {
        string socket = Path.Combine(_folder.Path, "falco.sock");
        FalcoSensor sensor = Sensor();
        await using GrpcSensor server = await GrpcSensor.StartAsync(socket, sensor);

        await RunFeedUntilAsync(Feed(GrpcAddress.Parse($"unix://{socket}", useTls: false), $"unix://{socket}"), events: 3);

        IReadOnlyList<DateTime> requestTimes = sensor.RequestTimes;
        Assert.True(requestTimes.Count >= 3);
        TimeSpan gap = requestTimes[2] - requestTimes[1];
        // Not back to back (Falco's sub answers each request at once); the upper bound is loose because a loaded
        // 2-core CI machine running the whole suite once held this timer back by seconds.
        Assert.InRange(gap.TotalMilliseconds, 800, 10_000);
        SecurityEvent first = _sink.Events[0];
        Assert.Equal(EventSources.Falco, first.Source);
        Assert.Equal(EventNames.FileOpen, first.Name);
        Assert.Equal("/var/lib/kubelet/pki/0.crt", first.File!.Path);
        Assert.True(first.Process!.Interactive);
        Assert.Null(first.Kubernetes);
        Assert.Equal("node-2", first.HostName);
    }

    [Fact]
    public async Task Sub_OverTcp_UsesMutualTls()
    {
        using var certificates = new TestCertificates(_folder.Path);
        int port = Ports.Free();
        await using GrpcSensor server = await GrpcSensor.StartTlsAsync(port, certificates.Server, certificates.Ca, Sensor());
        var tls = new GrpcTlsOptions(certificates.ClientCertFile, certificates.ClientKeyFile, certificates.CaFile);

        await RunFeedUntilAsync(Feed(GrpcAddress.Parse($"tcp:127.0.0.1:{port}", useTls: true), $"tcp:127.0.0.1:{port}", tls), events: 1);

        Assert.Equal("/var/lib/kubelet/pki/0.crt", _sink.Events[0].File!.Path);
    }

    [Fact]
    public async Task Sub_OverTcpWithoutTheServersCa_IsRefusedAndRetried()
    {
        using var certificates = new TestCertificates(_folder.Path);
        using var otherCa = new TestCertificates(Directory.CreateDirectory(Path.Combine(_folder.Path, "other")).FullName);
        int port = Ports.Free();
        await using GrpcSensor server = await GrpcSensor.StartTlsAsync(port, certificates.Server, certificates.Ca, Sensor());
        var tls = new GrpcTlsOptions(certificates.ClientCertFile, certificates.ClientKeyFile, otherCa.CaFile);
        using var stop = new CancellationTokenSource();
        FalcoGrpcFeed feed = Feed(GrpcAddress.Parse($"tcp:127.0.0.1:{port}", true), "tcp", tls);

        Task running = feed.RunAsync(_sink, stop.Token);
        await Eventually.TrueAsync(() => _logs.LinesContaining("is down").Count == 1, "the TLS failure to be logged");
        await Task.Delay(300);
        await stop.CancelAsync();
        await running;

        Assert.Empty(_sink.Events);
        Assert.False(feed.Counters.Connected);
        Assert.Contains("SSL", Assert.Single(_logs.LinesContaining("is down")), StringComparison.Ordinal);
    }

}
