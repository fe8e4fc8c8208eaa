using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sigs.Host.Common;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Common;

/// <summary>
/// The one delivering mechanism of outputs and forwards, on a fake clock: order through failures, backoff that waits
/// for the clock, the spool written always or only once behind, drops counted in items, and a restart that sends
/// what was spooled first.
/// </summary>
public sealed class DeliveryTests : IDisposable
{
    private static readonly ReconnectDelays Delays = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8));
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly ConcurrentQueue<string> _sent = new();
    private int _calls;

    /// <summary>What the target answers to its n-th call (from 1).</summary>
    private Func<int, string, DeliveryResult> _answer = (_, _) => DeliveryResult.Delivered;

    public void Dispose() => _folder.Dispose();

    private string Spool => Path.Combine(_folder.Path, "spool");

    private Delivery<string> Make(SpoolWhen when, int capacity = 100, Func<CancellationToken, Task>? prepare = null)
    {
        var delivery = new Delivery<string>(
            new DeliveryNames("Output", "test", "findings"),
            (message, _) =>
            {
                int call = Interlocked.Increment(ref _calls);
                DeliveryResult result = _answer(call, message);
                if (result.Status == DeliveryStatus.Delivered)
                {
                    _sent.Enqueue(message);
                }

                return Task.FromResult(result);
            },
            TextForm.Instance,
            new DiskSpool(Spool, ".msg", capacity, _clock),
            when,
            capacity,
            _logs.CreateLogger("test"),
            Delays,
            _clock,
            logEachDrop: true);
        delivery.Start(prepare);
        return delivery;
    }

    private int SpoolFiles => Directory.Exists(Spool) ? Directory.GetFiles(Spool, "*.msg").Length : 0;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFailingTarget_IsRetriedWhenTheClockSaysSo_AndEverythingArrivesInOrder(bool spoolAlways)
    {
        SpoolWhen when = spoolAlways ? SpoolWhen.Always : SpoolWhen.Behind;
        _answer = (call, _) => call <= 3 ? DeliveryResult.Failed("down") : DeliveryResult.Delivered;
        await using Delivery<string> delivery = Make(when);
        Write(delivery, "m1", "m2", "m3");

        await Eventually.TrueAsync(() => Volatile.Read(ref _calls) == 1 && delivery.Problem is not null, "the first failure");
        Assert.StartsWith("cannot deliver (down)", delivery.Problem, StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.Equal(1, Volatile.Read(ref _calls)); // no retry before the clock moves

        await Eventually.TrueAsync(() => Advanced(() => _sent.Count == 3), "all three as the clock moves");
        Assert.Equal(["m1", "m2", "m3"], _sent);
        Assert.Equal((3, 3L, 0L, true), (Volatile.Read(ref _calls) - 3, delivery.Retries.Value, delivery.Dropped.Value, delivery.Delivering));
        Assert.Null(delivery.Problem);
        Assert.Equal(0, SpoolFiles);
        Assert.Single(_logs.LinesContaining("is failing: cannot deliver (down)"));
        Assert.Single(_logs.LinesContaining("recovered"));
    }

    [Fact]
    public async Task WhateverPreparingThrows_IsRetriedWithBackoff_NeverEndingTheDelivery()
    {
        int attempts = 0;
        await using Delivery<string> delivery = Make(SpoolWhen.Behind, prepare: _ => ++attempts switch
        {
            1 => throw new TaskCanceledException("a client's own request timeout"),
            2 => throw new InvalidOperationException("not yet"),
            _ => Task.CompletedTask,
        });
        await Eventually.TrueAsync(() => delivery.Problem is not null, "the first failure");
        Assert.Contains("TaskCanceledException: a client's own request timeout", delivery.Problem, StringComparison.Ordinal);
        Assert.False(delivery.Delivering);
        await Eventually.TrueAsync(() => Advanced(() => delivery.Delivering), "delivering once preparing worked, before anything is sent");
        Assert.Null(delivery.Problem);
        Write(delivery, "m1");
        await Eventually.TrueAsync(() => _sent.Count == 1, "the message");
        Assert.Equal(3, attempts);
        Assert.Null(delivery.Problem);
        Assert.Single(_logs.LinesContaining("recovered"));
    }

    [Fact]
    public async Task Always_SpoolsEachMessageBeforeItIsSent()
    {
        var spooledAtSend = new List<int>();
        _answer = (_, _) =>
        {
            spooledAtSend.Add(SpoolFiles);
            return DeliveryResult.Delivered;
        };
        await using Delivery<string> delivery = Make(SpoolWhen.Always);
        Write(delivery, "m1");
        await Eventually.TrueAsync(() => _sent.Count == 1, "the message");

        Assert.Equal([1], spooledAtSend);
        await Eventually.TrueAsync(() => SpoolFiles == 0, "the spooled file to be removed once acknowledged");
    }

    [Fact]
    public async Task Behind_WritesNothingWhileTheTargetKeepsUp_AndSpoolsFromTheFirstFailure()
    {
        var spooledAtSend = new List<int>();
        _answer = (call, _) =>
        {
            spooledAtSend.Add(SpoolFiles);
            return call == 3 ? DeliveryResult.Failed("down") : DeliveryResult.Delivered;
        };
        await using Delivery<string> delivery = Make(SpoolWhen.Behind);
        Write(delivery, "m1", "m2");
        await Eventually.TrueAsync(() => _sent.Count == 2, "two sent");
        Write(delivery, "m3", "m4");
        await Eventually.TrueAsync(() => SpoolFiles == 2 && delivery.Spooled == 2, "the failed message and the one behind it in the spool");

        await Eventually.TrueAsync(() => Advanced(() => _sent.Count == 4), "all four as the clock moves");
        Assert.Equal(["m1", "m2", "m3", "m4"], _sent);
        Assert.Equal([0, 0, 0, 2, 1], spooledAtSend); // the failed m3 and m4 behind it, then m4
        Assert.Equal(0, SpoolFiles);
    }

    [Fact]
    public async Task ARefusal_IsDroppedAndCountedInItems_AndTheNextGoesOn()
    {
        _answer = (_, message) => message == "bad" ? DeliveryResult.Refused("HTTP 400") : DeliveryResult.Delivered;
        await using Delivery<string> delivery = Make(SpoolWhen.Always);
        Write(delivery, "bad", "good");

        await Eventually.TrueAsync(() => _sent.Count == 1, "the good one");
        Assert.Equal(["good"], _sent);
        Assert.Equal(3, delivery.Dropped.Value); // "bad" holds three items
        Assert.Single(_logs.LinesContaining("dropped 3 findings: HTTP 400"));
    }

    [Fact]
    public async Task AFullQueue_DropsCountsAndLogs()
    {
        _answer = (_, _) => DeliveryResult.Failed("down");
        await using Delivery<string> delivery = Make(SpoolWhen.Always, capacity: 2);
        Write(delivery, "m1", "m2", "m3", "m4");

        Assert.Equal(4, delivery.Dropped.Value); // m3 and m4: two items each
        Assert.Equal(2, _logs.LinesContaining("the spool is full").Count);
    }

    [Fact]
    public async Task AfterARestart_TheSpoolGoesFirst_AndAnUnreadableEntryIsDroppedAlone()
    {
        _answer = (_, _) => DeliveryResult.Failed("down");
        await using (Delivery<string> first = Make(SpoolWhen.Behind))
        {
            Write(first, "m1", "m2");
            await Eventually.TrueAsync(() => Volatile.Read(ref _calls) == 1, "the first failure");
        }

        Assert.Equal(2, SpoolFiles);
        string[] files = [.. Directory.GetFiles(Spool, "*.msg").Order(StringComparer.Ordinal)];
        File.WriteAllText(files[0], "\u0001damaged");

        _answer = (_, _) => DeliveryResult.Delivered;
        await using Delivery<string> second = Make(SpoolWhen.Behind);
        Write(second, "m3");

        await Eventually.TrueAsync(() => _sent.Count == 2, "the readable spooled message and the new one");
        Assert.Equal(["m2", "m3"], _sent);
        Assert.Equal(1, second.Dropped.Value);
        Assert.Single(_logs.LinesContaining("2 spooled messages from"));
        Assert.Single(_logs.LinesContaining("cannot be read"));
        Assert.Equal(0, SpoolFiles);
    }

    [Fact]
    public async Task Stopping_KeepsWhatIsQueuedAndTheWritersLeftovers_InTheSpool()
    {
        _answer = (_, _) => DeliveryResult.Failed("down");
        Delivery<string> delivery = Make(SpoolWhen.Behind);
        Write(delivery, "m1", "m2");
        await Eventually.TrueAsync(() => delivery.Spooled == 2, "both behind the failure");

        await delivery.DisposeAsync(["m3"]);

        Assert.Equal(3, SpoolFiles);
        Assert.Single(_logs.LinesContaining($"stopped with 3 messages undelivered; they stay in {Spool} for the next start"));
    }

    /// <summary>Moves the clock past any backoff, then checks <paramref name="condition"/>.</summary>
    private bool Advanced(Func<bool> condition)
    {
        _clock.Advance(Delays.Maximum);
        return condition();
    }

    private static void Write(Delivery<string> delivery, params string[] messages)
    {
        foreach (string message in messages)
        {
            delivery.TryWrite(message, message);
        }
    }

    /// <summary>A message of text, spooled as UTF-8; its length is its count of items; a spooled message starting with \u0001 is damaged.</summary>
    private sealed class TextForm : IDeliveryForm<string>
    {
        public static readonly TextForm Instance = new();

        public byte[] ToSpool(string message) => Encoding.UTF8.GetBytes(message);

        public string FromSpool(byte[] spooled) => spooled is [1, ..] ? throw new InvalidDataException("damaged") : Encoding.UTF8.GetString(spooled);

        public int Items(string message) => message.Length;
    }
}
