using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Json;

namespace Sigs.Host.Tests.Feeds;

/// <summary>
/// RFC 3339 times as sensors write them (Falco: nine fraction digits and Z) and Unix nanoseconds (Tracee's legacy JSON):
/// one instant decodes to one time, cut to the 100 ns tick as protobuf's timestamps are.
/// </summary>
public class JsonTimestampTests
{
    private static DateTimeOffset Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return JsonValueReader.Timestamp(ref reader, "time");
    }

    private static readonly (string Text, TimeSpan Offset)[] Zones =
    [
        ("Z", TimeSpan.Zero), ("z", TimeSpan.Zero), ("+00:00", TimeSpan.Zero), ("+02:00", TimeSpan.FromHours(2)),
        ("-05:30", -new TimeSpan(5, 30, 0)), (string.Empty, TimeSpan.Zero),
    ];

    /// <summary>An instant in Unix nanoseconds, written as RFC 3339 text with 0 to 9 fraction digits in any zone.</summary>
    private static readonly Gen<(long Nanoseconds, string Text)> Times =
        from seconds in Gen.Long[0, 4_102_444_800]
        from nanoseconds in Gen.Int[0, 999_999_999]
        from digits in Gen.Int[0, 9]
        from zone in Gen.Int[0, Zones.Length - 1].Select(i => Zones[i])
        let written = nanoseconds / (int)Math.Pow(10, 9 - digits) * (int)Math.Pow(10, 9 - digits)
        let clock = DateTime.UnixEpoch.AddSeconds(seconds) + zone.Offset
        let fraction = digits == 0 ? string.Empty : "." + nanoseconds.ToString("D9", CultureInfo.InvariantCulture)[..digits]
        select ((seconds * 1_000_000_000) + written, clock.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + fraction + zone.Text);

    [Fact]
    public void Timestamp_TextAndUnixNanoseconds_OfOneInstant_DecodeAlike_ForAnyFractionAndZone()
    {
        Times.Sample(
            time =>
            {
                DateTimeOffset fromText = Read($"\"{time.Text}\"");
                Assert.Equal(Read(time.Nanoseconds.ToString(CultureInfo.InvariantCulture)), fromText);
                Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(time.Nanoseconds / 100), fromText);
                Assert.Equal(TimeSpan.Zero, fromText.Offset);
            },
            iter: 50_000);
    }

    [Theory]
    [InlineData("\"2025-11-02T10:00:10.123456789Z\"", "2025-11-02T10:00:10.1234567Z")]
    [InlineData("1762077610123456789", "2025-11-02T10:00:10.1234567Z")]
    [InlineData("\"2025-11-02T10:00:10.999999999Z\"", "2025-11-02T10:00:10.9999999Z")]
    [InlineData("\"2025-11-02T10:00:10.000000000Z\"", "2025-11-02T10:00:10.0000000Z")]
    [InlineData("\"2025-11-02T12:00:10+02:00\"", "2025-11-02T10:00:10.0000000Z")]
    [InlineData("1762077610000000001", "2025-11-02T10:00:10.0000000Z")]
    public void Timestamp_FalcoAndTraceeForms(string json, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), Read(json));
        Assert.Equal(TimeSpan.Zero, Read(json).Offset);
    }

    [Fact]
    public void Timestamp_TextThatIsNoTime_IsNamedAsSuch()
    {
        var problem = Assert.Throws<EventDecodeException>(() => Read("\"yesterday\""));
        Assert.Equal("field 'time' is not an RFC 3339 time: the text 'yesterday'", problem.Message);
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
