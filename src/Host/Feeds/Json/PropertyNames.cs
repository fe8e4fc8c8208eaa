using System.Text;
using System.Text.Json;

namespace Sigs.Host.Feeds.Json;

/// <summary>
/// The properties one kind of object is read for, found by their UTF-8 bytes as the reader has them (grouped by
/// length, then compared), so that no property name is decoded to text; an escaped name is unescaped first.
/// Each property can also stand for one of the <see cref="FormatKeys"/> (top-level objects note them).
/// </summary>
/// <typeparam name="TField">The object's fields; its default value means "a property nobody reads".</typeparam>
internal sealed class PropertyNames<TField>
    where TField : struct, Enum
{
    private const int LongestEscaped = 256;

    private readonly Entry[][] _byLength;

    public PropertyNames(params (string Name, TField Field, FormatKeys Key)[] names)
    {
        int longest = names.Max(n => Encoding.UTF8.GetByteCount(n.Name));
        _byLength = new Entry[longest + 1][];
        foreach (IGrouping<int, (string Name, TField Field, FormatKeys Key)> sameLength in names.GroupBy(n => Encoding.UTF8.GetByteCount(n.Name)))
        {
            _byLength[sameLength.Key] = [.. sameLength.Select(n => new Entry(Encoding.UTF8.GetBytes(n.Name), n.Field, n.Key))];
        }
    }

    public PropertyNames(params (string Name, TField Field)[] names)
        : this([.. names.Select(n => (n.Name, n.Field, FormatKeys.None))])
    {
    }

    /// <summary>
    /// Moves to the next property of the object the reader is in, and on to its value; false at the object's end.
    /// <paramref name="field"/> is the property's field (default when nobody reads it), <paramref name="key"/> the
    /// format key it stands for, if any, its value checked where that matters (<see cref="FormatDetection.Confirm"/>).
    /// </summary>
    public bool Next(ref Utf8JsonReader reader, out TField field, out FormatKeys key)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            (field, key) = (default, FormatKeys.None);
            return false;
        }

        Entry? entry = reader.ValueIsEscaped ? FindEscaped(ref reader) : Find(reader.ValueSpan);
        reader.Read();
        (field, key) = entry is { } found ? (found.Field, found.Key == FormatKeys.None ? FormatKeys.None : FormatDetection.Confirm(found.Key, in reader)) : (default, FormatKeys.None);
        return true;
    }

    /// <summary>As <see cref="Next(ref Utf8JsonReader, out TField, out FormatKeys)"/>, for objects that are not top-level.</summary>
    public bool Next(ref Utf8JsonReader reader, out TField field) => Next(ref reader, out field, out _);

    private Entry? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length >= _byLength.Length || _byLength[name.Length] is not { } candidates)
        {
            return null;
        }

        foreach (Entry candidate in candidates)
        {
            if (name.SequenceEqual(candidate.Utf8))
            {
                return candidate;
            }
        }

        return null;
    }

    private Entry? FindEscaped(ref Utf8JsonReader reader)
    {
        if (reader.ValueSpan.Length > LongestEscaped)
        {
            return null; // even unescaped, longer than any name read
        }

        Span<byte> unescaped = stackalloc byte[LongestEscaped];
        return Find(unescaped[..reader.CopyString(unescaped)]);
    }

    private sealed record Entry(byte[] Utf8, TField Field, FormatKeys Key);
}
