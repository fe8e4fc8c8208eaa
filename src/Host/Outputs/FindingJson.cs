using System.Text.Json;
using Sigs.Host.Contract;
using Sigs.Host.Engine;
using Sigs.Plugins;

namespace Sigs.Host.Outputs;

/// <summary>Writes a finding in the form <c>schema/finding.schema.json</c> describes.</summary>
internal static class FindingJson
{
    public static byte[] Serialize(Finding finding)
    {
        using var buffer = new MemoryStream(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, finding);
        }

        return buffer.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, Finding finding)
    {
        // The event and the details are serialized once, for the id and for the finding.
        byte[] eventJson = JsonSerializer.SerializeToUtf8Bytes(finding.Event, ContractJson.Event);
        byte[] dataJson = JsonSerializer.SerializeToUtf8Bytes(finding.Data, ContractJson.Options);
        SignatureMetadata signature = finding.Signature;
        writer.WriteStartObject();
        writer.WriteString("id", FindingId.Of(finding, eventJson, dataJson).ToString());
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
}
