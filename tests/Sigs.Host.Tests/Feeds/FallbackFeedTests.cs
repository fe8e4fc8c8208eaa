using Microsoft.Extensions.Time.Testing;
using System.Diagnostics;
using Sigs.Host.Common;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Feeds.Tracee;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Host.Grpc;
using Sigs.Host.Tests.Feeds.Native;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds;

/// <summary>
/// <c>fallback: native</c> for real: a Tracee feed against a real gRPC server that is stopped and restarted, with
/// the native probe (as root) standing in while it is down.
/// </summary>
[Collection(NativeProbeCollection.Name)]
public sealed class FallbackFeedTests : IAsyncLifetime
{
    private const string Method = "/tracee.v1beta1.TraceeService/StreamEvents";
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CollectingEventSink _sink = new();
    private readonly CancellationTokenSource _stop = new();
    private GrpcSensor? _server;
    private Task _running = Task.CompletedTask;
    private int _sessions;

    private string Socket => Path.Combine(_folder.Path, "tracee.sock");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _folder.Dispose();
    }

    /// <summary>Each session sends one open event named after the session number, then idles.</summary>
    private async Task StartServerAsync()
    {
        var sensor = new TraceeSensor();
        for (int i = 0; i < 4; i++)
        {
            sensor.Then(async (responses, context) =>
            {
                int session = Interlocked.Increment(ref _sessions);
                await responses.WriteAsync(new StreamEventsResponse { Event = TraceeGrpcFeedTests.OpenEvent($"/etc/kubernetes/pki/session-{session}.key") });
                await TraceeSensor.IdleAsync(context);
            });
        }

        _server = await GrpcSensor.StartAsync(Socket, sensor);
    }

    private async Task StopServerAsync()
    {
        await _server!.DisposeAsync();
        _server = null;
    }

    private FallbackFeed StartFeed(TimeProvider? clock = null)
    {
        var tracee = new TraceeGrpcFeed(GrpcChannels.Create(GrpcAddress.Parse($"unix:{Socket}", useTls: false)), $"unix:{Socket}", [], _logs.CreateLogger("tracee"), new ReconnectDelays(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)));
        var feed = new FallbackFeed(
            tracee,
            counters => new NativeFeed(_logs.CreateLogger("native"), () => WatchPlan.Empty, counters: counters),
            TimeSpan.FromSeconds(1),
            _logs.CreateLogger("fallback"),
            TimeSpan.FromMilliseconds(50),
            clock);
        _running = feed.RunAsync(_sink, _stop.Token);
        return feed;
    }

    /// <summary>Runs a short process whose argv carries <paramref name="marker"/>.</summary>
    private static async Task RunMarkedAsync(string marker)
    {
        using System.Diagnostics.Process process = System.Diagnostics.Process.Start("/bin/sh", ["-c", "sleep 0.3", marker])!;
        await process.WaitForExitAsync();
    }

    private bool ProbeSaw(string marker) =>
        _sink.Events.Any(e => e.Source == EventSources.Native && e.Name == EventNames.ProcessExec && e.Process?.Args?.Contains(marker) == true);

    private int SensorEvents => _sink.Events.Count(e => e.Source == EventSources.Tracee);

    [Fact]
    public async Task SensorDown_ProbeRunsAfterTheGracePeriod_AndStopsWhenTheSensorIsBack()
    {
        // The fallback's own clock is the test's: the grace period passes only when the test says so.
        var clock = new FakeTimeProvider();
        TimeSpan step = TimeSpan.FromMilliseconds(50);
        await StartServerAsync();
        FallbackFeed feed = StartFeed(clock);
        await Eventually.TrueAsync(() => SensorEvents == 1, "the sensor's first event");
        await RunMarkedAsync("sigs-marker-while-up");

        await StopServerAsync();
        for (int i = 0; i < 19; i++)
        {
            clock.Advance(step); // 950 ms of the 1 s grace
            await Task.Delay(20);
            Assert.Null(feed.Active);
        }

        await Eventually.TrueAsync(() =>
        {
            clock.Advance(step);
            return feed.Active is NativeFeed { Counters.Connected: true };
        }, "the probe to take over once the grace period passed");
        await RunMarkedAsync("sigs-marker-while-down");
        await Eventually.TrueAsync(() => ProbeSaw("sigs-marker-while-down"), "the probe's exec event while the sensor is down");

        await StartServerAsync();
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(step);
            return SensorEvents == 2 && feed.Active is null;
        }, "the sensor to be back and the probe to stop");
        await RunMarkedAsync("sigs-marker-after");
        await Eventually.TrueAsync(() => SensorEvents == 2, "nothing else from the sensor");
        await Task.Delay(500); // time for a probe that wrongly kept running to report the exec

        Assert.False(ProbeSaw("sigs-marker-while-up"));
        Assert.False(ProbeSaw("sigs-marker-after"));
        Assert.Equal(2, feed.Switches);
        Assert.Single(_logs.LinesContaining("runs in its place"));
        Assert.Single(_logs.LinesContaining("is back: its fallback has stopped"));
        Assert.True(feed.FallbackCounters.Events > 0);
        Assert.False(feed.FallbackCounters.Connected);
        Assert.Equal((0, 2), (feed.Counters.Gauges[FeedGauge.FallbackActive], feed.Counters.Gauges[FeedGauge.FallbackSwitches])); // on /metrics
        Assert.Equal([feed.Name, $"{feed.Name} fallback"], feed.CounterSets.Select(c => c.Feed));
    }

    [Fact]
    public async Task SensorNeverUp_ProbeCovers_FromTheGracePeriodOn()
    {
        FallbackFeed feed = StartFeed();

        await Eventually.TrueAsync(() => feed.Active is not null, "the probe to take over");
        await RunMarkedAsync("sigs-marker-no-sensor");
        await Eventually.TrueAsync(() => ProbeSaw("sigs-marker-no-sensor"), "the probe's exec event");
        Assert.Equal(1, feed.Switches);
        Assert.Equal(1, feed.Counters.Gauges[FeedGauge.FallbackActive]);
    }
}
