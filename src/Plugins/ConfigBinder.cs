using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Sigs.Plugins;

/// <summary>
/// Binds configuration JSON to a plugin's settings type with plain reflection. System.Text.Json is not used on
/// purpose: its process-wide reflection caches would hold the plugin's types and keep its collectible load
/// context alive after the plugin is unloaded. The host has already validated the JSON against the signature's
/// schema; a value that still does not fit is an error naming its path.
/// </summary>
internal static class ConfigBinder
{
    public static object? Bind(JsonElement json, Type type, string path)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;
        }

        Type target = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            return target switch
            {
                _ when target == typeof(string) => json.GetString(),
                _ when target == typeof(bool) => json.GetBoolean(),
                _ when target == typeof(int) => json.GetInt32(),
                _ when target == typeof(long) => json.GetInt64(),
                _ when target == typeof(double) => json.GetDouble(),
                _ when target == typeof(TimeSpan) => TimeSpan.Parse(json.GetString()!, CultureInfo.InvariantCulture),
                _ when target.IsEnum => json.ValueKind == JsonValueKind.String ? Enum.Parse(target, json.GetString()!, ignoreCase: true) : Enum.ToObject(target, json.GetInt32()),
                _ when target.IsArray => BindArray(json, target.GetElementType()!, path),
                _ when DictionaryValueType(target) is { } valueType => BindDictionary(json, valueType, path),
                _ when ListElementType(target) is { } elementType => BindList(json, elementType, path),
                _ when json.ValueKind == JsonValueKind.Object => BindObject(json, target, path),
                _ => throw new InvalidOperationException($"config {path}: cannot bind {json.ValueKind} to {target.Name}"),
            };
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException || (ex is InvalidOperationException && !IsOurs(ex)))
        {
            throw new InvalidOperationException($"config {path}: cannot bind {json.ValueKind} to {target.Name}: {ex.Message}", ex);
        }
    }

    /// <summary>True for an error this binder raised deeper down, which already names its path.</summary>
    private static bool IsOurs(Exception ex) => ex.Message.StartsWith("config ", StringComparison.Ordinal);

    private static object BindObject(JsonElement json, Type type, string path)
    {
        object instance = Activator.CreateInstance(type) ?? throw new InvalidOperationException($"config {path}: cannot create {type.Name}");
        PropertyInfo[] properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        foreach (JsonProperty member in json.EnumerateObject())
        {
            PropertyInfo? property = Array.Find(properties, p => p.CanWrite && string.Equals(p.Name, member.Name, StringComparison.OrdinalIgnoreCase));
            property?.SetValue(instance, Bind(member.Value, property.PropertyType, $"{path}.{member.Name}"));
        }

        return instance;
    }

    private static Array BindArray(JsonElement json, Type elementType, string path)
    {
        var array = Array.CreateInstance(elementType, json.GetArrayLength());
        int i = 0;
        foreach (JsonElement item in json.EnumerateArray())
        {
            array.SetValue(Bind(item, elementType, $"{path}[{i}]"), i);
            i++;
        }

        return array;
    }

    private static IList BindList(JsonElement json, Type elementType, string path)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        int i = 0;
        foreach (JsonElement item in json.EnumerateArray())
        {
            list.Add(Bind(item, elementType, $"{path}[{i++}]"));
        }

        return list;
    }

    private static IDictionary BindDictionary(JsonElement json, Type valueType, string path)
    {
        var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
        foreach (JsonProperty member in json.EnumerateObject())
        {
            dictionary[member.Name] = Bind(member.Value, valueType, $"{path}.{member.Name}");
        }

        return dictionary;
    }

    /// <summary>T for List&lt;T&gt;, IList&lt;T&gt;, IReadOnlyList&lt;T&gt;, ICollection&lt;T&gt;, IReadOnlyCollection&lt;T&gt; and IEnumerable&lt;T&gt;.</summary>
    private static Type? ListElementType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>)
                || definition == typeof(ICollection<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IEnumerable<>))
            ? type.GetGenericArguments()[0]
            : null;

    /// <summary>TValue for Dictionary, IDictionary and IReadOnlyDictionary keyed by string.</summary>
    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;
}
