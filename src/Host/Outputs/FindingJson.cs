using System.Buffers;
using System.Text;
using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Host.Engine;
using Sigs.Plugins;

namespace Sigs.Host.Outputs;

/// <summary>Writes a finding in the form <c>schema/finding.schema.json</c> describes.</summary>
/// <remarks>
/// The parts are written into buffers kept per thread and reused, so a finding allocates little more than its one
/// JSON array (and what its event's argument map makes when first read): before, 12.5 KB per finding went to
/// growing streams, copies and a hash object each.
/// </remarks>
internal static class FindingJson
{
    [ThreadStatic]
    private static Buffers? t_buffers;

    public static byte[] Serialize(Finding finding)
    {
        Buffers buffers = t_buffers ??= new Buffers();
        if (buffers.InUse)
        {
            return new Buffers().Serialize(finding); // should serializing a finding come back here on this thread: no sharing
        }

        return buffers.Serialize(finding);
    }

    /// <summary>
    /// What <see cref="FindingId"/> hashes, in one buffer: the signature's id and version (each ended by a zero
    /// byte), the event's JSON, a zero byte, the details' JSON; and where the two JSON parts are in it.
    /// </summary>
    public static ReadOnlySpan<byte> HashedParts(Finding finding, ArrayBufferWriter<byte> into, out Range eventJson, out Range dataJson)
    {
        into.ResetWrittenCount();
        Append(into, Encoding.UTF8.GetBytes($"{finding.Signature.Id}\0{finding.Signature.Version}\0"));
        int eventStart = into.WrittenCount;
        using var writer = new Utf8JsonWriter(into);
        JsonSerializer.Serialize(writer, finding.Event, ContractJson.Event);
        writer.Flush();
        eventJson = eventStart..into.WrittenCount;
        Append(into, [0]);
        int dataStart = into.WrittenCount;
        writer.Reset(into);
        JsonSerializer.Serialize(writer, finding.Data, ContractJson.Options);
        writer.Flush();
        dataJson = dataStart..into.WrittenCount;
        return into.WrittenSpan;
    }

    private static void Append(ArrayBufferWriter<byte> into, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(into.GetSpan(bytes.Length));
        into.Advance(bytes.Length);
    }

    private static void Write(Utf8JsonWriter writer, Finding finding, Guid id, ReadOnlySpan<byte> eventJson, ReadOnlySpan<byte> dataJson)
    {
        SignatureMetadata signature = finding.Signature;
        writer.WriteStartObject();
        writer.WriteString("id", id.ToString());
        writer.WriteString("time", finding.Time);
        writer.WriteStartObject("signature");
        writer.WriteString("id", signature.Id);
        writer.WriteString("name", signature.Name);
        writer.WriteString("version", signature.Version);
        writer.WriteString("eventName", signature.EventName);
        writer.WritePropertyName("severity");
        JsonSerializer.Serialize(writer, signature.Severity, ContractJson.Options);
        if (signature.RiskScore is int risk)
        {
            writer.WriteNumber("riskScore", risk);
        }

        WriteFirst(writer, "tactic", signature.Tactics);
        WriteFirst(writer, "technique", signature.Techniques);
        WriteList(writer, "tactics", signature.Tactics);
        WriteList(writer, "techniques", signature.Techniques);
        writer.WriteString("description", signature.Description);
        WriteList(writer, "tags", signature.Tags);
        WriteList(writer, "references", signature.References);
        writer.WriteEndObject();
        writer.WritePropertyName("event");
        writer.WriteRawValue(eventJson, skipInputValidation: true);
        writer.WritePropertyName("data");
        writer.WriteRawValue(dataJson, skipInputValidation: true);
        writer.WriteEndObject();
    }

    private static void WriteFirst(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            writer.WriteString(name, values[0]);
        }
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>One thread's buffers: the hashed parts, and the finding.</summary>
    private sealed class Buffers
    {
        private readonly ArrayBufferWriter<byte> _parts = new(4096);
        private readonly ArrayBufferWriter<byte> _finding = new(4096);

        public bool InUse { get; private set; }

        public byte[] Serialize(Finding finding)
        {
            InUse = true;
            try
            {
                // The event and the details are serialized once, for the id and for the finding.
                ReadOnlySpan<byte> parts = HashedParts(finding, _parts, out Range eventJson, out Range dataJson);
                Guid id = FindingId.Of(parts);
                _finding.ResetWrittenCount();
                using (var writer = new Utf8JsonWriter(_finding))
                {
                    Write(writer, finding, id, parts[eventJson], parts[dataJson]);
                }

                return _finding.WrittenSpan.ToArray();
            }
            finally
            {
                InUse = false;
                _parts.Clear(); // no finding's bytes are kept past its serialization
                _finding.Clear();
            }
        }
    }
}
