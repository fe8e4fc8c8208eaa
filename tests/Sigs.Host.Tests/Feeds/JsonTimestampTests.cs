using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Json;

namespace Sigs.Host.Tests.Feeds;

/// <summary>RFC 3339 times as sensors write them (Falco: nine fraction digits and Z), read as .NET reads RFC 3339 text.</summary>
public class JsonTimestampTests
{
    private static DateTimeOffset Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return JsonValueReader.Timestamp(ref reader, "time");
    }

    private static readonly string[] Zones = ["Z", "z", "+00:00", "+02:00", "-05:30", ""];

    private static readonly Gen<string> Times =
        from ticks in Gen.Long[DateTime.UnixEpoch.Ticks, new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks]
        from digits in Gen.Int[0, 9]
        from nanoseconds in Gen.Int[0, 999_999_999]
        from zone in Gen.Int[0, 5].Select(i => Zones[i])
        let time = new DateTime(ticks)
        let fraction = digits == 0 ? string.Empty : "." + nanoseconds.ToString("D9", CultureInfo.InvariantCulture)[..digits]
        select time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + fraction + zone;

    [Fact]
    public void Timestamp_IsWhatDateTimeOffsetParsesFromTheText_ForAnyFractionAndZone()
    {
        Times.Sample(
            text => Assert.Equal(
                DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime(),
                Read($"\"{text}\"")),
            iter: 50_000);
    }

    [Theory]
    [InlineData("\"2025-11-02T10:00:10.123456789Z\"", "2025-11-02T10:00:10.1234568Z")]
    [InlineData("\"2025-11-02T10:00:10.000000000Z\"", "2025-11-02T10:00:10.0000000Z")]
    [InlineData("\"2025-11-02T12:00:10+02:00\"", "2025-11-02T10:00:10.0000000Z")]
    [InlineData("1762077610000000001", "2025-11-02T10:00:10.0000000Z")]
    public void Timestamp_FalcoAndTraceeForms(string json, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), Read(json));
        Assert.Equal(TimeSpan.Zero, Read(json).Offset);
    }

    [Theory]
    [InlineData("\"yesterday\"")]
    [InlineData("\"2025-13-02T10:00:10Z\"")]
    [InlineData("true")]
    public void Timestamp_OtherText_IsRefusedByName(string json)
    {
        var problem = Assert.Throws<EventDecodeException>(() => Read(json));
        Assert.Contains("'time'", problem.Message, StringComparison.Ordinal);
    }
}
