using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sigs.Host.Engine;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Engine;

/// <summary>
/// The watchdog's takeover on a clock the test owns: a call that makes no progress for the stall time is given up,
/// its runner isolated, and a new engine loop delivers the interrupted event to the others and goes on; the
/// stuck signature gets its queued events once it returns.
/// </summary>
public class TakeoverTests
{
    /// <summary>Blocks in its first call until released.</summary>
    private sealed class Blocking() : RecordingSignature("STUCK", new EventSelector(EventNames.FileOpen))
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public override void OnEvent(SecurityEvent securityEvent)
        {
            if (!Entered.IsSet)
            {
                Entered.Set();
                Release.Wait();
            }

            lock (Received)
            {
                Received.Add(securityEvent);
            }
        }
    }

    [Fact]
    public async Task AStuckCall_IsTakenOverAfterTheStall_TheOthersGoOn_AndTheStuckOneCatchesUp()
    {
        var clock = new FakeTimeProvider();
        TimeSpan stall = TimeSpan.FromMilliseconds(500);
        var stuck = new Blocking();
        var healthy = new RecordingSignature("OK", new EventSelector(EventNames.FileOpen));
        var stuckRunner = TestRunners.Of(stuck, clock);
        var engine = new DetectionEngine();
        engine.Publish(new SignatureIndex([stuckRunner, TestRunners.Of(healthy, clock)]));
        var logs = new CapturingLoggerFactory();
        using var loop = new EngineLoop(engine, (e, replayed) => engine.Dispatch(e, replayed), clock, stall, logs.CreateLogger("engine"));
        loop.Start();

        await loop.Queue.PublishAsync(TestEvents.Make(EventNames.FileOpen) with { Arguments = new Dictionary<string, string> { ["n"] = "1" } }, CancellationToken.None);
        Assert.True(stuck.Entered.Wait(TimeSpan.FromSeconds(30)), "the first call never started");
        await loop.Queue.PublishAsync(TestEvents.Make(EventNames.FileOpen) with { Arguments = new Dictionary<string, string> { ["n"] = "2" } }, CancellationToken.None);

        // Only the test's clock moves the watchdog: nothing happens until the stall has passed on it.
        clock.Advance(stall / 4);
        await Task.Delay(200);
        Assert.False(stuckRunner.IsIsolated);
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(stall / 4);
            return stuckRunner.IsIsolated;
        }, "the takeover");
        await Eventually.TrueAsync(() => healthy.Received.Count == 2, "the interrupted event and the next one at the healthy signature");
        Assert.Single(logs.LinesContaining("STUCK"));

        stuck.Release.Set();
        await Eventually.TrueAsync(() => { lock (stuck.Received) { return stuck.Received.Count == 2; } }, "the stuck signature's queued event once it returned");
        Assert.True(await loop.CompleteAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["1", "2"], healthy.Received.Select(e => e.Arguments["n"]));
    }
}
