using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.KubernetesAudit;
using Sigs.Host.Feeds.Tracee;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>Detects the format of one JSON document and decodes it into contract events.</summary>
internal static class JsonLineDecoder
{
    /// <summary>Decodes <paramref name="json"/>: its events (several for an audit <c>EventList</c>) and what was skipped.</summary>
    public static DecodedInput Decode(ReadOnlyMemory<byte> json) => DecodedInput.From(decoded => DecodeDocument(json, decoded));

    /// <summary>Decodes one contract event (a Sigs event's JSON) and nothing else: what a forward publishes.</summary>
    /// <remarks>
    /// Read straight from the bytes (no document first), so a correlator decodes at the serializer's speed; a forward
    /// writes valid UTF-8, so bytes that are not are refused here rather than repaired.
    /// </remarks>
    public static DecodedInput DecodeContract(ReadOnlyMemory<byte> json) => DecodedInput.From(decoded =>
    {
        SecurityEvent? securityEvent;
        try
        {
            securityEvent = JsonSerializer.Deserialize<SecurityEvent>(json.Span, ContractJson.Options);
        }
        catch (JsonException ex)
        {
            throw new EventDecodeException($"not a Sigs event (an object with time, source and name): at {ex.Path ?? "$"}: {FirstSentence(ex.Message)}");
        }

        decoded.Events.Add(Checked(securityEvent ?? throw new EventDecodeException("not a Sigs event: null")));
        return InputFormat.Contract;
    });

    private static InputFormat DecodeDocument(ReadOnlyMemory<byte> json, DecodedInput decoded)
    {
        using (JsonDocument document = JsonFieldsDocument.Parse(json))
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new EventDecodeException($"expected a JSON object, found {root.ValueKind.ToString().ToLowerInvariant()}");
            }

            if (AuditEventDecoder.IsAudit(root))
            {
                AuditEventDecoder.Decode(root, decoded);
                return InputFormat.KubernetesAudit;
            }

            (InputFormat format, SecurityEvent single) = root switch
            {
                _ when FalcoAlertDecoder.IsAlert(root) => (InputFormat.FalcoAlert, FalcoAlertDecoder.Decode(root)),
                _ when TraceeJsonDecoder.IsLegacy(root) => (InputFormat.TraceeLegacyJson, TraceeJsonDecoder.DecodeLegacy(root)),
                _ when TraceeJsonDecoder.IsV1Beta1(root) => (InputFormat.TraceeV1Beta1Json, TraceeJsonDecoder.DecodeV1Beta1(root)),
                _ when IsContract(root) => (InputFormat.Contract, DecodeContract(root)),
                _ => throw new EventDecodeException("matches no known format (Tracee event, Falco alert, Kubernetes audit event, Sigs event)"),
            };
            decoded.Events.Add(single);
            return format;
        }
    }

    private static bool IsContract(JsonElement root) =>
        root.TryGetProperty("source", out _) && root.TryGetProperty("name", out _) && root.TryGetProperty("time", out _);

    private static SecurityEvent DecodeContract(JsonElement root)
    {
        SecurityEvent decoded;
        try
        {
            decoded = root.Deserialize<SecurityEvent>(ContractJson.Options) ?? throw new EventDecodeException("event is null");
        }
        catch (JsonException ex)
        {
            throw new EventDecodeException($"invalid Sigs event at {ex.Path ?? "$"}: {FirstSentence(ex.Message)}");
        }

        return Checked(decoded);
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
