using System.Diagnostics.Metrics;
using Sigs.Host.Common;

namespace Sigs.Host.Tests.Common;

/// <summary>A component's count, recorded on its instrument where it is counted, with what came before the attach.</summary>
public sealed class RecordedCountTests : IDisposable
{
    private readonly Meter _meter = new($"test-{Guid.NewGuid():N}");
    private readonly MeterListener _listener = new();
    private readonly List<(long Value, string Tags)> _seen = [];

    public RecordedCountTests()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == _meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (_seen)
            {
                _seen.Add((value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))));
            }
        });
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Add_BeforeAttach_IsRecordedAtTheAttach_ThenEachAddAsItHappens()
    {
        var count = new RecordedCount();
        count.Add();
        count.Add(2);
        Assert.Empty(_seen);

        count.Attach(new SigsInstruments(_meter), _meter.CreateCounter<long>("c"), new KeyValuePair<string, object?>("feed", "f"));
        Assert.Equal([(0L, "feed=f"), (3L, "feed=f")], _seen); // the series, then what came before

        Assert.Equal(4, count.Add());
        Assert.Equal([(0L, "feed=f"), (3L, "feed=f"), (1L, "feed=f")], _seen);
        Assert.Equal(4, count.Value);
    }

    [Fact]
    public void Attach_WithNothingCounted_RecordsZero_SoTheSeriesExistsFromTheStart()
    {
        var count = new RecordedCount();
        count.Attach(new SigsInstruments(_meter), _meter.CreateCounter<long>("c"));
        Assert.Equal([(0L, "")], _seen);
    }

    [Fact]
    public void PerEventCount_IsRecordedEveryBatch_AndTheRestWhenAReaderCollects()
    {
        var instruments = new SigsInstruments(_meter);
        var count = new RecordedCount(perEvent: true);
        count.Attach(instruments, _meter.CreateCounter<long>("c"));
        for (int i = 0; i < RecordedCount.PerEventBatch + 10; i++)
        {
            count.Add();
        }

        Assert.Equal(RecordedCount.PerEventBatch, _seen.Sum(s => s.Value));
        instruments.Flush();
        Assert.Equal(RecordedCount.PerEventBatch + 10, _seen.Sum(s => s.Value));
        instruments.Flush();
        Assert.Equal(RecordedCount.PerEventBatch + 10, _seen.Sum(s => s.Value)); // recorded once

        Parallel.For(0, 10_000, _ => count.Add());
        instruments.Flush();
        Assert.Equal(count.Value, _seen.Sum(s => s.Value));
    }
}
