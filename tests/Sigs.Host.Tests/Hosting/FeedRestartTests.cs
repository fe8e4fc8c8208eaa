using Sigs.Host.Configuration;
using Sigs.Host.Contract;
using Sigs.Host.Feeds;
using Sigs.Host.Hosting;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Hosting;

/// <summary>A feed that fails is reported down and restarted with backoff; the host and the other feeds go on.</summary>
public sealed class FeedRestartTests
{
    /// <summary>Connects, then fails its first two runs; the third one stays up and publishes one event.</summary>
    private sealed class FailsTwice : IEventFeed
    {
        private int _runs;

        public string Name => "flaky";

        public FeedCounters Counters { get; } = new();

        public int Runs => Volatile.Read(ref _runs);

        public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
        {
            Counters.SetConnected(true);
            if (Interlocked.Increment(ref _runs) <= 2)
            {
                throw new IOException("the disk went away");
            }

            await sink.PublishAsync(new SecurityEvent { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Sigs, Name = EventNames.ProcessExec }, cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    [Fact]
    public async Task FailingFeed_IsReportedDownThenRestarted_AndTheOtherFeedKeepsRunning()
    {
        var logs = new CapturingLoggerFactory();
        using var runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [], logs, TimeProvider.System);
        var flaky = new FailsTwice();
        var steady = new ManualFeed();
        var detection = new DetectionService(runtime, [flaky, steady], TimeSpan.FromSeconds(5), logs);
        await detection.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => flaky.Counters.Reconnects == 1, "the first failure");
            Assert.False(flaky.Counters.Connected);
            steady.Push(new SecurityEvent { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Sigs, Name = EventNames.ProcessExit });

            await Eventually.TrueAsync(() => flaky.Runs == 3 && runtime.EventsProcessed == 2, "the third run's event and the other feed's");
            Assert.True(flaky.Counters.Connected);
            Assert.Equal(2, logs.LinesContaining("Feed flaky failed: IOException: the disk went away; it is down and restarts in").Count);
        }
        finally
        {
            await detection.StopAsync(CancellationToken.None);
        }
    }
}
