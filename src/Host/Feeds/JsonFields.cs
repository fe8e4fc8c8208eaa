using System.Globalization;

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

    /// <summary>Unix nanoseconds, cut to the 100 ns tick as protobuf's timestamps and <see cref="ParseTime"/> are.</summary>
    public static DateTimeOffset FromUnixNanoseconds(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100);

    /// <summary>
    /// An RFC 3339 time in UTC, its fraction cut to the 100 ns tick (.NET's parse rounds a ninth digit, which would
    /// put one instant written as text and as Unix nanoseconds 100 ns apart); null when the text is no time.
    /// </summary>
    public static DateTimeOffset? ParseTime(string text)
    {
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            int end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > MaxFractionDigits)
            {
                text = string.Concat(text.AsSpan(0, dot + 1 + MaxFractionDigits), text.AsSpan(end));
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed)
            ? parsed.ToUniversalTime()
            : null;
    }

    /// <summary>Digits of a second's fraction that a tick holds.</summary>
    private const int MaxFractionDigits = 7;

    public static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
