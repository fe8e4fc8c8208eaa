using System.Text.Json;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.Json;
using Sigs.Host.Feeds.KubernetesAudit;
using Sigs.Host.Feeds.Tracee;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Files;

/// <summary>
/// The one decoder of JSON inputs, for <c>sigs replay</c>, the file feed and the HTTP receivers: detects the
/// format of one document and decodes it into contract events in one pass over its bytes (no document model).
/// </summary>
/// <remarks>
/// The format is guessed from the bytes (<see cref="FormatDetection.Guess"/>) and confirmed by the keys the
/// format's reader met; when the guess was wrong, or the reader refused the input before it met every key, the
/// keys are read alone (<see cref="FormatDetection.Scan"/>) and the input is decoded as what they say.
/// </remarks>
internal static class JsonLineDecoder
{
    /// <summary>Decodes <paramref name="json"/>: its events (several for an audit <c>EventList</c>) and what was skipped.</summary>
    public static DecodedInput Decode(ReadOnlySpan<byte> json) => DecodedInput.From(json, static (json, decoded) => DecodeAny(InvalidUtf8.Repair(json), decoded));

    private static InputFormat DecodeAny(ReadOnlySpan<byte> json, DecodedInput decoded)
    {
        InputFormat guess = FormatDetection.Guess(json);
        FormatKeys keys;
        try
        {
            if (OneFormat.Guarded(DecoderOf(guess), json, decoded, out keys))
            {
                return guess;
            }
        }
        catch (EventDecodeException)
        {
            // Refused as the guessed format: the keys alone say whether that was the input's format (invalid JSON is refused here).
            keys = OneFormat.Keys(json);
            if (FormatDetection.Detect(keys) == guess || keys.HasFlag(FormatKeys.NotAnObject))
            {
                throw;
            }
        }

        InputFormat? format = FormatDetection.Detect(keys);
        decoded.Events.Clear();
        decoded.Problems.Clear();
        if (format is null)
        {
            throw new EventDecodeException(FormatDetection.NoFormat(keys));
        }

        return OneFormat.Guarded(DecoderOf(format.Value), json, decoded) ? format.Value : throw new InvalidOperationException($"the {format} decoder refused its own format");
    }

    /// <summary>The decoder of <paramref name="format"/>.</summary>
    private static FormatDecoder DecoderOf(InputFormat format) => format switch
    {
        InputFormat.KubernetesAudit => AuditEventDecoder.Decode,
        InputFormat.FalcoAlert => FalcoAlertDecoder.Decode,
        InputFormat.TraceeLegacyJson => static (ReadOnlySpan<byte> json, DecodedInput decoded, out FormatKeys keys) => decoded.AddOne(TraceeLegacyJson.Decode(json, out keys)),
        InputFormat.TraceeV1Beta1Json => static (ReadOnlySpan<byte> json, DecodedInput decoded, out FormatKeys keys) => decoded.AddOne(TraceeV1Beta1Json.Decode(json, out keys)),
        _ => DecodeContract,
    };

    /// <remarks>The contract refuses members it does not know, so what it reads is no other format's document.</remarks>
    private static bool DecodeContract(ReadOnlySpan<byte> json, DecodedInput decoded, out FormatKeys keys)
    {
        var first = new Utf8JsonReader(json, JsonValueReader.Options);
        TopLevel.Start(ref first);
        decoded.Events.Add(ContractEvents.Read(json, "invalid Sigs event at", "event is null"));
        keys = FormatKeys.Source | FormatKeys.Name | FormatKeys.Time;
        return true;
    }
}
