using System.Globalization;
using System.Text.Json;

namespace Sigs.Host.Feeds;

/// <summary>
/// Typed reads of loosely typed JSON from sensors. Missing or null is "unknown" (null); a value of the wrong
/// shape is an <see cref="EventDecodeException"/> naming the field.
/// </summary>
internal static class JsonFields
{
    public static JsonElement? Object(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object
            ? value
            : throw new EventDecodeException($"field '{name}' must be an object, not {Describe(value)}");
    }

    /// <summary>The first present property among <paramref name="names"/> (snake_case and camelCase spellings).</summary>
    public static JsonElement? Object(JsonElement parent, string name, string alternative) =>
        Object(parent, name) ?? Object(parent, alternative);

    public static string? String(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => throw new EventDecodeException($"field '{name}' must be a string, not {Describe(value)}"),
        };
    }

    public static long? Integer(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        return ToInteger(value, name);
    }

    public static long? Integer(JsonElement parent, string name, string alternative) =>
        Integer(parent, name) ?? Integer(parent, alternative);

    public static long? ToInteger(JsonElement value, string name)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when value.TryGetInt64(out long number):
                return number;
            case JsonValueKind.Number when value.TryGetUInt64(out ulong unsigned):
                return unchecked((long)unsigned);
            case JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed):
                return parsed;
            default:
                throw new EventDecodeException($"field '{name}' must be an integer, not {Describe(value)}");
        }
    }

    public static int? Int32(JsonElement parent, string name) => Narrow(Integer(parent, name), name);

    public static int? Int32(JsonElement parent, string name, string alternative) =>
        Narrow(Integer(parent, name, alternative), name);

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

    public static IReadOnlyList<string>? StringArray(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new EventDecodeException($"field '{name}' must be an array of strings, not {Describe(value)}");
        }

        var items = new string[value.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            items[i++] = item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new EventDecodeException($"field '{name}[{i}]' must be a string, not {Describe(item)}");
        }

        return items;
    }

    public static DateTimeOffset Timestamp(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed))
        {
            return parsed.ToUniversalTime();
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long nanoseconds))
        {
            return FromUnixNanoseconds(nanoseconds);
        }

        throw new EventDecodeException($"field '{name}' must be an RFC 3339 time or Unix nanoseconds, not {Describe(value)}");
    }

    public static DateTimeOffset FromUnixNanoseconds(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100);

    /// <summary>The text form of an argument value: strings as they are, anything else as its JSON.</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => string.Empty,
        _ => value.GetRawText(),
    };

    public static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// Parses untrusted JSON with a depth limit; invalid JSON is an <see cref="EventDecodeException"/>. Bytes that
/// are not UTF-8 are replaced first (<see cref="InvalidUtf8"/>), so no string read later can fail on them.
/// </summary>
internal static class JsonFieldsDocument
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static JsonDocument Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            return JsonDocument.Parse(InvalidUtf8.Repair(json), Options);
        }
        catch (JsonException ex)
        {
            throw new EventDecodeException($"not valid JSON: {ex.Message}");
        }
    }
}
