using System.Text.Json;

namespace Sigs.Host.Feeds.Json;

/// <summary>The start and end of a one-pass read of one JSON document that must be an object.</summary>
internal static class TopLevel
{
    /// <summary>Moves to the document's first token, which must start an object; any other document is checked and refused.</summary>
    public static void Start(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new EventDecodeException("not valid JSON: the input is empty");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            JsonTokenType found = reader.TokenType;
            reader.Skip(); // invalid JSON is reported as such, as a whole-document parse would
            End(ref reader);
            throw new EventDecodeException($"expected a JSON object, found {Kind(found)}");
        }
    }

    /// <summary>After the root value: nothing but whitespace may follow (the reader throws otherwise).</summary>
    public static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new EventDecodeException("not valid JSON: more than one value");
        }
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => "null",
    };
}
