using Google.Protobuf.WellKnownTypes;

namespace Sigs.Host.Feeds;

/// <summary>Protobuf timestamps from sensors, checked: one beyond what <see cref="DateTimeOffset"/> holds is a named skip.</summary>
internal static class ProtoTimestamps
{
    private const long MinSeconds = -62_135_596_800; // 0001-01-01T00:00:00Z
    private const long MaxSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z

    public static DateTimeOffset ToDateTimeOffset(Timestamp timestamp, string field) =>
        timestamp.Seconds is >= MinSeconds and <= MaxSeconds && timestamp.Nanos is >= 0 and <= 999_999_999
            ? timestamp.ToDateTimeOffset()
            : throw new EventDecodeException($"field '{field}' is out of range: {timestamp.Seconds} s, {timestamp.Nanos} ns");
}
