using System.Text.Json;

namespace Sigs.Host.Rules;

/// <summary>
/// Reads values out of a JSON document kept in an event (an audit event's <c>requestObject</c>) the way a rule
/// names them: a dotted path whose arrays fan out at every step, or a member name anywhere in the document. Strings
/// are themselves, numbers and booleans their JSON text, objects and arrays at the end their JSON; at most
/// <see cref="MaxValues"/> values, so a hostile request cannot make one test costly.
/// </summary>
internal static class JsonValues
{
    public const int MaxValues = 256;

    /// <summary>The values at <paramref name="path"/> (member names), or null when there are none.</summary>
    public static IReadOnlyList<string>? At(JsonElement? root, string[] path)
    {
        if (root is not { } element)
        {
            return null;
        }

        var found = new List<string>();
        Walk(element, path, 0, found);
        return found.Count == 0 ? null : found;
    }

    /// <summary>The values of every member named <paramref name="name"/>, at any depth, or null when there are none.</summary>
    public static IReadOnlyList<string>? Anywhere(JsonElement? root, string name)
    {
        if (root is not { } element)
        {
            return null;
        }

        var found = new List<string>();
        Search(element, name, found);
        return found.Count == 0 ? null : found;
    }

    private static void Walk(JsonElement element, string[] path, int step, List<string> found)
    {
        if (found.Count >= MaxValues)
        {
            return;
        }

        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in element.EnumerateArray())
            {
                Walk(item, path, step, found);
            }

            return;
        }

        if (step == path.Length)
        {
            Add(element, found);
        }
        else if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(path[step], out JsonElement member))
        {
            Walk(member, path, step + 1, found);
        }
    }

    private static void Search(JsonElement element, string name, List<string> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (found.Count >= MaxValues)
                    {
                        return;
                    }

                    if (property.NameEquals(name))
                    {
                        Add(property.Value, found);
                    }
                    else
                    {
                        Search(property.Value, name, found);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Search(item, name, found);
                }

                break;
        }
    }

    private static void Add(JsonElement element, List<string> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String: found.Add(element.GetString()!); break;
            case JsonValueKind.Null or JsonValueKind.Undefined: break;
            default: found.Add(element.GetRawText()); break;
        }
    }
}
