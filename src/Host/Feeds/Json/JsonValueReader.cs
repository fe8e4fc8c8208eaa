using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sigs.Host.Feeds.Json;

/// <summary>
/// Typed reads of loosely typed sensor JSON at a <see cref="Utf8JsonReader"/>'s current value, in one pass: missing
/// or null is "unknown" (null); a value of the wrong shape is an <see cref="EventDecodeException"/> naming the field.
/// Each read leaves the reader on the value's last token, as <see cref="Utf8JsonReader.Skip"/> does.
/// </summary>
internal static class JsonValueReader
{
    /// <summary>Sensor JSON nests a few levels; deeper input is refused as invalid JSON.</summary>
    public static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    public static string? String(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => RecentStrings.Get(in reader),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        _ => throw Wrong(ref reader, name, "a string"),
    };

    public static long? Integer(ref Utf8JsonReader reader, string name)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetInt64(out long number):
                return number;
            case JsonTokenType.Number when reader.TryGetUInt64(out ulong unsigned):
                return unchecked((long)unsigned);
            case JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed):
                return parsed;
            default:
                throw Wrong(ref reader, name, "an integer");
        }
    }

    public static int? Int32(ref Utf8JsonReader reader, string name) => JsonFields.Narrow(Integer(ref reader, name), name);

    public static DateTimeOffset Timestamp(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            string text = reader.GetString()!;
            return JsonFields.ParseTime(text)
                ?? throw new EventDecodeException($"field '{name}' is not an RFC 3339 time: {ArgumentForms.TextForm(text)}");
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long nanoseconds))
        {
            return JsonFields.FromUnixNanoseconds(nanoseconds);
        }

        throw Wrong(ref reader, name, "an RFC 3339 time or Unix nanoseconds");
    }

    /// <summary>True when the value is an object to read (the reader is on its start); false for null.</summary>
    public static bool Object(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.StartObject => true,
        JsonTokenType.Null => false,
        _ => throw Wrong(ref reader, name, "an object"),
    };

    /// <summary>Reads a value at the reader.</summary>
    public delegate T ValueRead<out T>(ref Utf8JsonReader reader, string name);

    /// <summary>
    /// Reads a value whose error matters only later, if at all: on a wrong value, the reason is returned, the value
    /// skipped and <paramref name="value"/> left default, so that the read goes on.
    /// </summary>
    public static EventDecodeException? TryRead<T>(ref Utf8JsonReader reader, string name, ValueRead<T> read, out T? value)
    {
        Utf8JsonReader start = reader;
        try
        {
            value = read(ref reader, name);
            return null;
        }
        catch (EventDecodeException ex)
        {
            reader = start;
            reader.Skip();
            value = default;
            return ex;
        }
    }

    /// <summary>One string member of the object value <paramref name="field"/> (an object, or null); the others are skipped.</summary>
    public static string? MemberString(ref Utf8JsonReader reader, string field, string member) => Member(ref reader, field, member, String);

    /// <summary>One integer member of the object value <paramref name="field"/> (an object, or null); the others are skipped.</summary>
    public static long? MemberInteger(ref Utf8JsonReader reader, string field, string member) => Member(ref reader, field, member, Integer);

    private static T? Member<T>(ref Utf8JsonReader reader, string field, string member, ValueRead<T?> read)
    {
        T? value = default;
        if (Object(ref reader, field))
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isMember = reader.ValueTextEquals(member);
                reader.Read();
                if (isMember)
                {
                    value = read(ref reader, member);
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return value;
    }

    public static string[]? StringArray(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Wrong(ref reader, name, "an array of strings");
        }

        var items = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(reader.TokenType == JsonTokenType.String
                ? RecentStrings.Get(in reader)
                : throw Wrong(ref reader, $"{name}[{items.Count}]", "a string"));
        }

        return [.. items];
    }

    /// <summary>The text form of a value: strings as they are, null as empty, anything else as its JSON.</summary>
    public static string Text(ref Utf8JsonReader reader, ReadOnlySpan<byte> json) => reader.TokenType switch
    {
        JsonTokenType.String => RecentStrings.Get(in reader),
        JsonTokenType.Null => string.Empty,
        _ => Encoding.UTF8.GetString(Raw(ref reader, json)),
    };

    /// <summary>The value's JSON as written, skipping to its end.</summary>
    public static ReadOnlySpan<byte> Raw(ref Utf8JsonReader reader, ReadOnlySpan<byte> json) => json[Extent(ref reader)];

    /// <summary>Where the value at the reader is in the reader's input, skipping to its end.</summary>
    public static Range Extent(ref Utf8JsonReader reader)
    {
        int start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
    }

    public static EventDecodeException Wrong(ref readonly Utf8JsonReader reader, string name, string expected)
    {
        return new EventDecodeException($"field '{name}' must be {expected}, not {Describe(reader.TokenType)}");
    }

    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLowerInvariant(),
    };
}
