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
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => _seen.Add((value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
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

        count.Attach(_meter.CreateCounter<long>("c"), new KeyValuePair<string, object?>("feed", "f"));
        Assert.Equal([(3L, "feed=f")], _seen);

        Assert.Equal(4, count.Add());
        Assert.Equal([(3L, "feed=f"), (1L, "feed=f")], _seen);
        Assert.Equal(4, count.Value);
    }

    [Fact]
    public void Attach_WithNothingCounted_RecordsZero_SoTheSeriesExistsFromTheStart()
    {
        var count = new RecordedCount();
        count.Attach(_meter.CreateCounter<long>("c"));
        Assert.Equal([(0L, "")], _seen);
    }
}
