using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sigs.Host.Engine;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Engine;

/// <summary>Signals carry event time: the watermark follows the events, and the wall clock moves it only while none arrive.</summary>
public class WatermarkTests
{
    private static readonly DateTimeOffset Then = new(2025, 11, 2, 10, 0, 0, TimeSpan.Zero);
    [Fact]
    public void Watermark_FollowsEventTime_NeverBack_AndTheClockOnlyWhileIdle()
    {
        var clock = new FakeTimeProvider(Then.AddYears(1)); // the wall clock is far from the events' time
        var watermark = new Watermark(TimeSpan.Zero);

        Assert.Null(watermark.Tick(clock.GetTimestamp(), clock));
        watermark.Observe(Then);
        watermark.Observe(Then.AddSeconds(5));
        watermark.Observe(Then.AddSeconds(2)); // older: the watermark stays
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Then.AddSeconds(5), watermark.Tick(clock.GetTimestamp(), clock)); // events came since: no clock time added

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Then.AddSeconds(6), watermark.Tick(clock.GetTimestamp(), clock)); // idle for a second
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(Then.AddSeconds(9), watermark.Tick(clock.GetTimestamp(), clock));

        watermark.Observe(Then.AddSeconds(7)); // a late event does not move it back
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Then.AddSeconds(9), watermark.Tick(clock.GetTimestamp(), clock));
    }

    [Fact]
    public void Watermark_OnACorrelator_StaysTheLatenessBoundBehindTheEvents()
    {
        var watermark = new Watermark(TimeSpan.FromSeconds(10));

        watermark.Observe(Then.AddSeconds(30));

        Assert.Equal(Then.AddSeconds(20), watermark.Time);
    }

    [Fact]
    public async Task EngineLoop_TicksCarryTheWatermark_NotTheWallClock_AndNoneBeforeTheFirstEvent()
    {
        var clock = new FakeTimeProvider(Then.AddYears(1));
        var signature = new RecordingSignature("A", new EventSelector(EventNames.FileOpen));
        var engine = new DetectionEngine();
        engine.Publish(new SignatureIndex([TestRunners.Of(signature, clock)]));
        using var loop = new EngineLoop(engine, (e, _) => engine.Dispatch(e), clock, TimeSpan.FromSeconds(5), NullLogger.Instance);
        loop.Start();

        clock.Advance(TimeSpan.FromSeconds(1)); // a tick before any event: nothing to tell
        await loop.Queue.PublishAsync(TestEvents.Make(EventNames.FileOpen) with { Time = Then }, CancellationToken.None);
        await Eventually.TrueAsync(() => signature.Received.Count == 1, "the event");
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => signature.Signals.Count == 1, "a tick");
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => signature.Signals.Count == 2, "the next tick");
        await loop.CompleteAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([Then, Then.AddSeconds(1)], signature.Signals.Select(s => s.Time));
        Assert.All(signature.Signals, s => Assert.Equal(SignalKind.Tick, s.Kind));
    }
}
