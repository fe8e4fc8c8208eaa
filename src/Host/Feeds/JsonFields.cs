namespace Sigs.Host.Feeds;

/// <summary>
/// Checks on values read from sensors' JSON and protobuf: ranges (a value out of range is an
/// <see cref="EventDecodeException"/> naming the field), Unix nanoseconds, and empty text as unknown. The reads
/// themselves are <see cref="Json.JsonValueReader"/>'s.
/// </summary>
internal static class JsonFields
{
    public static int? Narrow(long? value, string name) => value switch
    {
        null => null,
        >= int.MinValue and <= int.MaxValue => (int)value.Value,
        _ => throw new EventDecodeException($"field '{name}' is out of range: {value}"),
    };

    public static uint? UInt32(long? value, string name) => value switch
    {
        null => null,
        >= 0 and <= uint.MaxValue => (uint)value.Value,
        _ => throw new EventDecodeException($"field '{name}' is out of range: {value}"),
    };

    public static DateTimeOffset FromUnixNanoseconds(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100);

    public static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
