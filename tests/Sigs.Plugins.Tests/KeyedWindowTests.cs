using Sigs.Plugins;

namespace Sigs.Plugins.Tests;

/// <summary>The SDK's keyed, bounded, expiring state: expiry by the watermark, bounds in items and per key, counts.</summary>
public class KeyedWindowTests
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 2, 10, 0, 0, TimeSpan.Zero);

    private static KeyedWindow<int> Window(int maxItems = 100, int maxPerKey = int.MaxValue) => new(TimeSpan.FromSeconds(60), maxItems, maxPerKey);

    [Fact]
    public void Items_ExpireOnlyWhenTheWatermarkIsPastTheirWindow()
    {
        KeyedWindow<int> window = Window();
        window.Add("pod-a", T0, 1);

        window.Advance(T0.AddSeconds(60));
        Assert.Equal(1, window.Count);
        window.Advance(T0.AddSeconds(60.001));

        Assert.Equal(0, window.Count);
        Assert.Equal(0, window.KeyCount);
        Assert.Equal(1, window.Expirations);
        Assert.Equal(0, window.Evictions);
    }

    [Fact]
    public void TheWatermark_NeverMovesBack_SoALateEventBringsNothingBack()
    {
        KeyedWindow<int> window = Window();
        window.Add("pod-a", T0, 1);
        window.Advance(T0.AddSeconds(120));
        window.Advance(T0);

        Assert.Equal(T0.AddSeconds(120), window.Watermark);
        Assert.Empty(window.Items("pod-a"));
    }

    [Fact]
    public void AnEventDatedFarAhead_DropsWhatWaits_ButLeavesLaterItemsUsable()
    {
        // A node's clock wrong, or a forged forward: it must not blind the signature to what comes after it.
        KeyedWindow<int> window = Window();
        window.Add("pod-a", T0, 1);
        window.Advance(T0.AddDays(1));
        window.Add("pod-a", T0.AddSeconds(5), 2);

        Assert.Equal(1, window.Expirations);
        Assert.True(window.TryTake("pod-a", i => i.Item == 2, out _));
    }

    [Fact]
    public void TakenItems_DoNotPileUp_WhileTheWatermarkStands()
    {
        KeyedWindow<int> window = Window(maxItems: 10);
        for (int i = 0; i < 100_000; i++)
        {
            window.Add("pod-a", T0, i);
            Assert.True(window.TryTake("pod-a", _ => true, out _));
        }

        Assert.Equal(0, window.Count);
        Assert.Equal(0, window.Evictions);
        // What the window holds in bytes stays bounded by its bound, not by how many items passed through it.
        var arrivals = (System.Collections.ICollection)typeof(KeyedWindow<int>).GetField("_arrivalOrder", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(window)!;
        Assert.InRange(arrivals.Count, 0, 2 * 10);
    }

    [Fact]
    public void TheBoundOnAllItems_EvictsTheOldestArrival_AndCountsIt()
    {
        KeyedWindow<int> window = Window(maxItems: 2);
        window.Add("pod-a", T0, 1);
        window.Add("pod-b", T0, 2);
        window.Add("pod-c", T0, 3);

        Assert.Equal(2, window.Count);
        Assert.Empty(window.Items("pod-a"));
        Assert.Equal(1, window.Evictions);
    }

    [Fact]
    public void TheBoundPerKey_EvictsThatKeysOldest_AndLeavesOtherKeys()
    {
        KeyedWindow<int> window = Window(maxPerKey: 2);
        window.Add("pod-b", T0, 0);
        window.Add("pod-a", T0, 1);
        window.Add("pod-a", T0, 2);
        window.Add("pod-a", T0, 3);

        Assert.Equal([2, 3], window.Items("pod-a").Select(i => i.Item));
        Assert.Equal([0], window.Items("pod-b").Select(i => i.Item));
        Assert.Equal(1, window.Evictions);
        Assert.Equal(3, window.Count);
    }

    [Fact]
    public void TryTake_RemovesTheOldestMatch_Once()
    {
        KeyedWindow<int> window = Window();
        window.Add("pod-a", T0, 1);
        window.Add("pod-a", T0.AddSeconds(1), 2);
        window.Add("pod-a", T0.AddSeconds(2), 3);

        Assert.True(window.TryTake("pod-a", i => i.Item >= 2, out WindowItem<int> taken));
        Assert.Equal(new WindowItem<int>("pod-a", T0.AddSeconds(1), 2), taken);
        Assert.Equal([1, 3], window.Items("pod-a").Select(i => i.Item));
        Assert.False(window.TryTake("pod-b", _ => true, out _));
    }

    [Fact]
    public void Evictions_AreCountedThroughTheContext_AndTheFirstIsLogged()
    {
        var context = new RecordingContext();
        var window = new KeyedWindow<int>(TimeSpan.FromSeconds(1), 1, context: context, name: "pending reads");
        for (int i = 0; i < 1001; i++)
        {
            window.Add("k", T0, i);
        }

        Assert.Equal(1000, context.Evictions);
        Assert.Equal(["1 pending reads evicted so far: more than 1 in all waiting", "1000 pending reads evicted so far: more than 1 in all waiting"], context.Lines);
    }

    [Fact]
    public void Bounds_HoldUnderAnyMixOfAddsTakesAndAdvances()
    {
        var random = new Random(7);
        KeyedWindow<int> window = Window(maxItems: 50, maxPerKey: 5);
        for (int i = 0; i < 20_000; i++)
        {
            string key = $"k{random.Next(30)}";
            switch (random.Next(3))
            {
                case 0: window.Add(key, T0.AddSeconds(random.Next(300)), i); break;
                case 1: window.TryTake(key, _ => true, out _); break;
                default: window.Advance(T0.AddSeconds(random.Next(300))); break;
            }

            Assert.InRange(window.Count, 0, 50);
            Assert.All(Enumerable.Range(0, 30), k => Assert.InRange(window.Items($"k{k}").Count, 0, 5));
        }
    }

    [Fact]
    public void Bounds_BelowOne_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyedWindow<int>(TimeSpan.Zero, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyedWindow<int>(TimeSpan.FromSeconds(1), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyedWindow<int>(TimeSpan.FromSeconds(1), 1, 0));
    }

    private sealed class RecordingContext : SignatureContext
    {
        public List<string> Lines { get; } = [];

        public long Evictions { get; private set; }

        public override System.Text.Json.JsonElement Config => default;

        public override TimeProvider Clock => TimeProvider.System;

        public override void Log(SignatureLogLevel level, string message) => Lines.Add(message);

        public override void Report(SecurityEvent trigger, IReadOnlyDictionary<string, object?>? data = null)
        {
        }

        public override void CountEvictions(long count) => Evictions += count;
    }
}
