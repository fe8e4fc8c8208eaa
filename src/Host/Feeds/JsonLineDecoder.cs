using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.Json;
using Sigs.Host.Feeds.KubernetesAudit;
using Sigs.Host.Feeds.Tracee;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

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

    /// <summary>
    /// Decodes <paramref name="json"/> that must be in <paramref name="expected"/> (an HTTP receiver's body); a
    /// document in another format is refused with <paramref name="otherwise"/>.
    /// </summary>
    public static DecodedInput Decode(ReadOnlySpan<byte> json, InputFormat expected, string otherwise) =>
        DecodedInput.From(json, (json, decoded) => DecodeAny(InvalidUtf8.Repair(json), decoded, (expected, otherwise)));

    /// <summary>Decodes one contract event (a Sigs event's JSON) and nothing else: what a forward publishes.</summary>
    /// <remarks>A forward writes valid UTF-8, so bytes that are not are refused here rather than repaired.</remarks>
    public static DecodedInput DecodeContract(ReadOnlyMemory<byte> json) => DecodedInput.From(decoded =>
    {
        decoded.Events.Add(ReadContract(json.Span, "not a Sigs event (an object with time, source and name): at", "not a Sigs event: null"));
        return InputFormat.Contract;
    });

    /// <param name="expected">The one format allowed, and why anything else is refused; null: any format.</param>
    private static InputFormat DecodeAny(ReadOnlySpan<byte> json, DecodedInput decoded, (InputFormat Format, string Otherwise)? expected = null)
    {
        InputFormat guess = expected?.Format ?? FormatDetection.Guess(json);
        FormatKeys keys;
        try
        {
            if (TryDecode(guess, json, decoded, out keys))
            {
                return guess;
            }
        }
        catch (EventDecodeException)
        {
            // Refused as the guessed format: the keys alone say whether that was the input's format (invalid JSON is refused here).
            keys = ScanKeys(json);
            if (FormatDetection.Detect(keys) == guess || (expected is null && keys.HasFlag(FormatKeys.NotAnObject)))
            {
                throw;
            }
        }

        InputFormat? format = FormatDetection.Detect(keys);
        if (expected is { Otherwise: var otherwise })
        {
            throw new EventDecodeException(otherwise);
        }

        decoded.Events.Clear();
        decoded.Problems.Clear();
        if (format is null)
        {
            throw new EventDecodeException("matches no known format (Tracee event, Falco alert, Kubernetes audit event, Sigs event)");
        }

        return TryDecode(format.Value, json, decoded, out _) ? format.Value : throw new InvalidOperationException($"the {format} decoder refused its own format");
    }

    /// <summary>Decodes <paramref name="json"/> as <paramref name="format"/>; false when its keys say it is another format.</summary>
    private static bool TryDecode(InputFormat format, ReadOnlySpan<byte> json, DecodedInput decoded, out FormatKeys keys)
    {
        try
        {
            SecurityEvent? single;
            switch (format)
            {
                case InputFormat.KubernetesAudit:
                    return AuditEventDecoder.Decode(json, decoded, out keys);
                case InputFormat.FalcoAlert:
                    single = FalcoAlertDecoder.Decode(json, out keys);
                    break;
                case InputFormat.TraceeLegacyJson:
                    single = TraceeLegacyJson.Decode(json, out keys);
                    break;
                case InputFormat.TraceeV1Beta1Json:
                    single = TraceeV1Beta1Json.Decode(json, out keys);
                    break;
                default:
                    // The contract refuses members it does not know, so what it reads is no other format's document.
                    var first = new Utf8JsonReader(json, JsonValueReader.Options);
                    TopLevel.Start(ref first);
                    single = ReadContract(json, "invalid Sigs event at", "event is null");
                    keys = FormatKeys.Source | FormatKeys.Name | FormatKeys.Time;
                    break;
            }

            if (single is not null)
            {
                decoded.Events.Add(single);
            }

            return single is not null;
        }
        catch (JsonException ex)
        {
            throw new EventDecodeException($"not valid JSON: {ex.Message}");
        }
    }

    private static FormatKeys ScanKeys(ReadOnlySpan<byte> json)
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

    private static SecurityEvent ReadContract(ReadOnlySpan<byte> json, string invalid, string isNull)
    {
        if (ContractEventReader.TryRead(json) is { } written)
        {
            return Checked(written); // Sigs' own form, read in one pass
        }

        SecurityEvent? securityEvent;
        try
        {
            securityEvent = JsonSerializer.Deserialize<SecurityEvent>(json, ContractJson.Options);
        }
        catch (JsonException ex)
        {
            throw new EventDecodeException($"{invalid} {ex.Path ?? "$"}: {FirstSentence(ex.Message)}");
        }

        return Checked(securityEvent ?? throw new EventDecodeException(isNull));
    }

    /// <summary>The contract's required parts, which the serializer lets through as null.</summary>
    private static SecurityEvent Checked(SecurityEvent e)
    {
        string? problem = e switch
        {
            { Source: null or "" } => "field 'source' must be a non-empty string",
            { Name: null or "" } => "field 'name' must be a non-empty string",
            { Arguments: null } => "field 'args' must be an object",
            _ when e.Arguments.Values.Any(v => v is null) => "field 'args' must map names to strings",
            { Process.Args: { } argv } when argv.Any(a => a is null) => "field 'process.args' must be a list of strings",
            { Audit.RequestingPods: { } pods } when pods.Any(p => p is null) => "field 'audit.requestingPods' must be a list of strings",
            _ => null,
        };
        return problem is null ? e : throw new EventDecodeException(problem);
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
