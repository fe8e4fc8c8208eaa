using System.Text.Json;

namespace Sigs.Host.Feeds.Json;

/// <summary>Decodes one document as one format; false when the keys it met say it is another format.</summary>
internal delegate bool FormatDecoder(ReadOnlySpan<byte> json, DecodedInput decoded, out FormatKeys keys);

/// <summary>
/// Decodes input that must be in one format (an HTTP receiver's body): a document the format's decoder refuses is
/// refused with the decoder's reason when its keys say it is that format, and with <c>otherwise</c> when they say
/// it is not.
/// </summary>
internal static class OneFormat
{
    public static DecodedInput Decode(ReadOnlySpan<byte> json, InputFormat format, FormatDecoder decoder, string otherwise) =>
        DecodedInput.From(json, (json, decoded) =>
        {
            json = InvalidUtf8.Repair(json);
            try
            {
                if (Guarded(decoder, json, decoded))
                {
                    return format;
                }
            }
            catch (EventDecodeException)
            {
                if (Keys(json) is var keys && FormatDetection.Detect(keys) == format)
                {
                    throw;
                }
            }

            throw new EventDecodeException(otherwise);
        });

    /// <summary>Runs <paramref name="decoder"/>, invalid JSON refused as such.</summary>
    public static bool Guarded(FormatDecoder decoder, ReadOnlySpan<byte> json, DecodedInput decoded) => Guarded(decoder, json, decoded, out _);

    /// <inheritdoc cref="Guarded(FormatDecoder, ReadOnlySpan{byte}, DecodedInput)"/>
    public static bool Guarded(FormatDecoder decoder, ReadOnlySpan<byte> json, DecodedInput decoded, out FormatKeys keys)
    {
        try
        {
            return decoder(json, decoded, out keys);
        }
        catch (JsonException ex)
        {
            throw new EventDecodeException($"not valid JSON: {ex.Message}");
        }
    }

    /// <summary>The keys of <paramref name="json"/> alone, invalid JSON refused as such.</summary>
    public static FormatKeys Keys(ReadOnlySpan<byte> json)
    {
        try
        {
            return FormatDetection.Scan(json);
        }
        catch (JsonException ex)
        {
            throw new EventDecodeException($"not valid JSON: {ex.Message}");
        }
    }
}
