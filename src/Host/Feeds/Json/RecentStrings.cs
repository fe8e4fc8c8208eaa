using System.Buffers.Binary;
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
    private const int SlotBits = 10;
    private const int Slots = 1 << SlotBits;
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
        ref Entry slot = ref table[Slot(utf8)];
        if (slot.Utf8 is { } kept && utf8.SequenceEqual(kept))
        {
            return slot.Text;
        }

        string text = Encoding.UTF8.GetString(utf8);
        slot = new Entry(utf8.ToArray(), text);
        return text;
    }

    /// <summary>
    /// The value's slot, from its length and its first and last eight bytes (four, or three single bytes, for short
    /// values; no stack buffer, which cost more than the rest): a few instructions where hashing every byte cost a
    /// tenth of decoding a Tracee event. Values alike in all these share a slot and take turns in it.
    /// </summary>
    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        ulong head, tail;
        if (utf8.Length >= sizeof(ulong))
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(utf8);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(utf8[^sizeof(ulong)..]);
        }
        else if (utf8.Length >= sizeof(uint))
        {
            head = BinaryPrimitives.ReadUInt32LittleEndian(utf8);
            tail = BinaryPrimitives.ReadUInt32LittleEndian(utf8[^sizeof(uint)..]);
        }
        else
        {
            head = utf8.Length > 0 ? utf8[0] | ((ulong)utf8[^1] << 8) | ((ulong)utf8[utf8.Length / 2] << 16) : 0;
            tail = 0;
        }

        ulong mixed = ((head * 0x9E3779B97F4A7C15UL) ^ (tail * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)utf8.Length) * 0x165667B19E3779F9UL;
        return (int)(mixed >> (64 - SlotBits));
    }

    private readonly record struct Entry(byte[]? Utf8, string Text);
}
