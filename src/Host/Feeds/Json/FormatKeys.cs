using System.Text.Json;

namespace Sigs.Host.Feeds.Json;

/// <summary>The top-level keys that tell the input formats apart; each decoder notes the ones it meets.</summary>
[Flags]
internal enum FormatKeys
{
    None = 0,
    AuditApiVersion = 1 << 0,
    OutputFields = 1 << 1,
    Rule = 1 << 2,
    Priority = 1 << 3,
    EventName = 1 << 4,
    Args = 1 << 5,
    ProcessName = 1 << 6,
    Name = 1 << 7,
    Workload = 1 << 8,
    DataArray = 1 << 9,
    Source = 1 << 10,
    Time = 1 << 11,

    /// <summary>The document is valid JSON but not an object.</summary>
    NotAnObject = 1 << 12,

    /// <summary>A <c>timestamp</c> that is text (Tracee v1beta1's RFC 3339 time; the legacy form's is a number).</summary>
    TimestampText = 1 << 13,

    /// <summary>A <c>kind</c> of <c>Event</c> or <c>EventList</c>: with no audit <c>apiVersion</c>, it names what is missing.</summary>
    AuditKind = 1 << 14,
}

/// <summary>
/// Which format a JSON object is in, from its top-level keys, in this order: a Kubernetes audit record
/// (<c>apiVersion</c> <c>audit.k8s.io/...</c>), a Falco alert (<c>output_fields</c> with <c>rule</c> or
/// <c>priority</c>), Tracee's legacy event (<c>eventName</c> with <c>args</c> or <c>processName</c>), Tracee's
/// v1beta1 event (<c>name</c> with <c>workload</c>, a <c>data</c> array or a text <c>timestamp</c>: its replay test data
/// has events with neither of the first two), a Sigs event (<c>source</c>, <c>name</c>, <c>time</c>).
/// </summary>
internal static class FormatDetection
{
    public static InputFormat? Detect(FormatKeys keys) => keys switch
    {
        _ when Has(keys, FormatKeys.AuditApiVersion) => InputFormat.KubernetesAudit,
        _ when Has(keys, FormatKeys.OutputFields) && (Has(keys, FormatKeys.Rule) || Has(keys, FormatKeys.Priority)) => InputFormat.FalcoAlert,
        _ when Has(keys, FormatKeys.EventName) && (Has(keys, FormatKeys.Args) || Has(keys, FormatKeys.ProcessName)) => InputFormat.TraceeLegacyJson,
        _ when Has(keys, FormatKeys.Name) && (Has(keys, FormatKeys.Workload) || Has(keys, FormatKeys.DataArray) || Has(keys, FormatKeys.TimestampText)) => InputFormat.TraceeV1Beta1Json,
        _ when Has(keys, FormatKeys.Source | FormatKeys.Name | FormatKeys.Time) => InputFormat.Contract,
        _ => null,
    };

    /// <summary>
    /// A first guess from a quick look at the bytes, so that real input is decoded in one pass; the decoder's own
    /// <see cref="FormatKeys"/> confirm it, and a wrong guess (a key's name inside a string) costs a second pass.
    /// </summary>
    public static InputFormat Guess(ReadOnlySpan<byte> json) =>
        json.IndexOf("\"eventName\""u8) >= 0 ? InputFormat.TraceeLegacyJson
        : json.IndexOf("\"output_fields\""u8) >= 0 ? InputFormat.FalcoAlert
        : json.IndexOf("\"audit.k8s.io/"u8) >= 0 ? InputFormat.KubernetesAudit
        : json.IndexOf("\"workload\""u8) >= 0 || json.IndexOf("\"data\""u8) >= 0 ? InputFormat.TraceeV1Beta1Json
        : InputFormat.Contract;

    /// <summary>The top-level property names that are format keys, and the keys they stand for.</summary>
    private static readonly (string Name, FormatKeys Key)[] KeyNames =
    [
        ("apiVersion", FormatKeys.AuditApiVersion), ("output_fields", FormatKeys.OutputFields), ("rule", FormatKeys.Rule),
        ("priority", FormatKeys.Priority), ("eventName", FormatKeys.EventName), ("args", FormatKeys.Args),
        ("processName", FormatKeys.ProcessName), ("name", FormatKeys.Name), ("workload", FormatKeys.Workload),
        ("data", FormatKeys.DataArray), ("source", FormatKeys.Source), ("time", FormatKeys.Time), ("timestamp", FormatKeys.TimestampText),
        ("kind", FormatKeys.AuditKind),
    ];

    private static readonly PropertyNames<NoField> KeysAlone = TopLevelNames<NoField>();

    private enum NoField
    {
        None,
    }

    /// <summary>A top-level object's properties: <paramref name="fields"/>, which the decoder reads, and every format key.</summary>
    public static PropertyNames<TField> TopLevelNames<TField>(params (string Name, TField Field)[] fields)
        where TField : struct, Enum
    {
        var names = fields.ToDictionary(f => f.Name, f => (f.Field, Key: FormatKeys.None), StringComparer.Ordinal);
        foreach ((string name, FormatKeys key) in KeyNames)
        {
            names[name] = (names.TryGetValue(name, out var read) ? read.Field : default, key);
        }

        return new PropertyNames<TField>([.. names.Select(n => (n.Key, n.Value.Field, n.Value.Key))]);
    }

    /// <summary>The format key a top-level property stands for, its value (at the reader) checked where that matters; the reader does not move.</summary>
    public static FormatKeys Confirm(FormatKeys key, ref readonly Utf8JsonReader reader) => key switch
    {
        FormatKeys.AuditApiVersion => reader.TokenType == JsonTokenType.String && IsAuditVersion(reader) ? key : FormatKeys.None,
        FormatKeys.DataArray => reader.TokenType == JsonTokenType.StartArray ? key : FormatKeys.None,
        FormatKeys.TimestampText => reader.TokenType == JsonTokenType.String ? key : FormatKeys.None,
        FormatKeys.AuditKind => reader.TokenType == JsonTokenType.String && (reader.ValueTextEquals("Event"u8) || reader.ValueTextEquals("EventList"u8)) ? key : FormatKeys.None,
        _ => key,
    };

    /// <summary>
    /// The keys of a whole object, read without decoding any value (<see cref="FormatKeys.NotAnObject"/> for
    /// another document); the input's JSON is checked on the way.
    /// </summary>
    public static FormatKeys Scan(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, JsonValueReader.Options);
        FormatKeys keys = FormatKeys.None;
        if (reader.Read() && reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            TopLevel.End(ref reader);
            return FormatKeys.NotAnObject;
        }

        while (KeysAlone.Next(ref reader, out _, out FormatKeys key))
        {
            keys |= key;
            reader.Skip();
        }

        TopLevel.End(ref reader);
        return keys;
    }

    /// <summary>Why an object with these keys is in no format: the format it looks like and what it lacks, where that is plain.</summary>
    public static string NoFormat(FormatKeys keys) => keys switch
    {
        _ when Has(keys, FormatKeys.AuditKind) =>
            "looks like a Kubernetes audit event (kind Event or EventList) but has no 'apiVersion' of audit.k8s.io/v1",
        _ when Has(keys, FormatKeys.OutputFields) => "looks like a Falco alert (output_fields) but has neither 'rule' nor 'priority'",
        _ => "matches no known format (Tracee event, Falco alert, Kubernetes audit event, Sigs event)",
    };

    private static bool Has(FormatKeys keys, FormatKeys wanted) => (keys & wanted) == wanted;

    private static bool IsAuditVersion(Utf8JsonReader reader) => reader.GetString()!.StartsWith("audit.k8s.io/", StringComparison.Ordinal);
}
