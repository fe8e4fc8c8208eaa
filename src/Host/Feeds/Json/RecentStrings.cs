using System.Text;
using System.Text.Json;

namespace Sigs.Host.Feeds.Json;

/// <summary>
/// Sensor JSON repeats the same short strings event after event (container and pod names, program paths, Falco's
/// field names, flag names): the string a value's UTF-8 bytes last made is handed out again instead of decoding
/// and allocating it anew. One small table per thread (no locks), replaced on collision, so its memory is bounded;
/// long or escaped values are decoded as usual. (No hashing package: the test kit carries the decoder without one.)
/// </summary>
internal static class RecentStrings
{
    private const int Slots = 1024;
    private const int LongestKept = 64;

    [ThreadStatic]
    private static Entry[]? t_table;

    /// <summary>The string value at the reader (a string token, or a property name), as <see cref="Utf8JsonReader.GetString"/> gives it.</summary>
    public static string Get(ref readonly Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > LongestKept)
        {
            return reader.GetString()!;
        }

        ReadOnlySpan<byte> utf8 = reader.ValueSpan;
        Entry[] table = t_table ??= new Entry[Slots];
        var hash = default(HashCode);
        hash.AddBytes(utf8);
        ref Entry slot = ref table[hash.ToHashCode() & (Slots - 1)];
        if (slot.Utf8 is { } kept && utf8.SequenceEqual(kept))
        {
            return slot.Text;
        }

        string text = Encoding.UTF8.GetString(utf8);
        slot = new Entry(utf8.ToArray(), text);
        return text;
    }

    private readonly record struct Entry(byte[]? Utf8, string Text);
}
