using System.Text.Json;
using Sigs.Host.Feeds.Json;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>
/// Reads a Tracee event's arguments in one pass: legacy <c>args</c> (<c>[{"name", "type", "value"}]</c>) or v1beta1
/// <c>data</c> (<c>[{"name", "value"}]</c>, or a protojson oneof member such as <c>"str"</c> or <c>"strArray":
/// {"value": [...]}</c>). The arguments a typed part is read from become <see cref="TraceeValue"/>s at once; the
/// text of every argument is made only when someone reads the event's argument map (<see cref="LazyArguments"/>).
/// </summary>
internal static class TraceeJsonArguments
{
    /// <summary>The argument map of an event without arguments.</summary>
    public static IReadOnlyDictionary<string, string> None { get; } = new Dictionary<string, string>();

    /// <summary>Stands for a name that is not interpreted, so not kept: its text is not needed.</summary>
    private static readonly string OtherName = new('\0', 1);

    /// <summary>
    /// Reads the array the reader is on, checking every element, into <paramref name="values"/> (interpreted
    /// arguments only) and, when given, <paramref name="texts"/> (every argument's text).
    /// </summary>
    public static void Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, bool v1beta1, Dictionary<string, TraceeValue>? values, Dictionary<string, string>? texts)
    {
        string field = v1beta1 ? "data" : "args";
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new EventDecodeException($"an element of '{field}' is not an object");
            }

            string? name = null;
            Range value = default;
            bool hasValue = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isName = reader.ValueTextEquals("name"u8), isValue = !isName && !v1beta1 && reader.ValueTextEquals("value"u8);
                reader.Read();
                if (isName)
                {
                    name = texts is null ? InterpretedName(ref reader) : JsonValueReader.String(ref reader, "name");
                }
                else if (v1beta1 ? !hasValue : isValue)
                {
                    value = v1beta1 ? DataValue(ref reader) : JsonValueReader.Extent(ref reader);
                    hasValue = true;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (name is null)
            {
                throw new EventDecodeException($"an element of '{field}' has no 'name'");
            }

            if (texts is not null)
            {
                texts[name] = hasValue ? Text(json[value]) : string.Empty;
            }

            if (values is not null && TraceeArguments.IsInterpreted(name))
            {
                values[name] = hasValue ? Value(json[value]) : TraceeValue.None;
            }
        }
    }

    /// <summary>
    /// Reads the arguments array the reader is on into <paramref name="values"/> (replacing what an earlier array
    /// of the same event left there); returns where the array is, for <see cref="Map"/>.
    /// </summary>
    public static Range ReadArray(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, bool v1beta1, Dictionary<string, TraceeValue> values)
    {
        int start = (int)reader.TokenStartIndex;
        values.Clear();
        Read(ref reader, json, v1beta1, values, texts: null);
        return start..(int)reader.BytesConsumed;
    }

    /// <summary>The event's argument map: made from a copy of the array's JSON when first read (none without an array).</summary>
    public static IReadOnlyDictionary<string, string> Map(ReadOnlySpan<byte> json, Range? array, bool v1beta1) => array is { } at
        ? new LazyArguments<byte[]>(json[at].ToArray(), v1beta1 ? static bytes => Texts(bytes, v1beta1: true) : static bytes => Texts(bytes, v1beta1: false))
        : None;

    /// <summary>Every argument's text, from the array's JSON that <see cref="Read"/> checked.</summary>
    private static Dictionary<string, string> Texts(byte[] array, bool v1beta1)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(array, JsonValueReader.Options);
        reader.Read();
        Read(ref reader, array, v1beta1, values: null, texts);
        return texts;
    }

    /// <summary>
    /// An element's name when only the interpreted arguments are kept: an interpreted name as its text, any other
    /// as <see cref="OtherName"/> without making its text; null and wrong types as <see cref="JsonValueReader.String"/> has them.
    /// </summary>
    private static string? InterpretedName(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence
            ? TraceeArguments.InterpretedName(reader.ValueSpan) ?? OtherName
            : JsonValueReader.String(ref reader, "name");

    /// <summary>A v1beta1 element's value: its first member other than <c>name</c>, unwrapped from protojson's <c>{"value": ...}</c>.</summary>
    private static Range DataValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return JsonValueReader.Extent(ref reader);
        }

        int start = (int)reader.TokenStartIndex;
        Range? wrapped = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isValue = reader.ValueTextEquals("value"u8);
            reader.Read();
            Range member = JsonValueReader.Extent(ref reader);
            wrapped = isValue ? member : wrapped;
        }

        return wrapped ?? start..(int)reader.BytesConsumed;
    }

    private static string Text(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value, JsonValueReader.Options);
        reader.Read();
        return JsonValueReader.Text(ref reader, value);
    }

    private static TraceeValue Value(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value, JsonValueReader.Options);
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return TraceeValue.None;
            case JsonTokenType.String:
                return new(TraceeValueKind.Text, Text: RecentStrings.Get(in reader));
            case JsonTokenType.Number when reader.TryGetInt64(out long number):
                return new(TraceeValueKind.Number, number);
            case JsonTokenType.Number when reader.TryGetUInt64(out ulong unsigned):
                return new(TraceeValueKind.Number, unchecked((long)unsigned));
            case JsonTokenType.StartArray:
                var strings = new List<string>();
                while (reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    strings.Add(RecentStrings.Get(in reader));
                }

                return reader.TokenType == JsonTokenType.EndArray ? new(TraceeValueKind.Strings, Strings: [.. strings]) : new(TraceeValueKind.Other);
            default:
                return new(TraceeValueKind.Other);
        }
    }
}
