using System.Text.Json;
using System.Text.Json.Nodes;
using Sigs.Host.Feeds.Json;
using Sigs.Host.Feeds.KubernetesAudit;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Falco;

/// <summary>
/// Falco alerts of the k8saudit plugin (source <c>k8s_audit</c>) as <c>k8s_audit</c> contract events: the
/// <c>audit.k8s.io/v1</c> Event is rebuilt from what the rule's output printed and decoded as the webhook's events
/// are, so that the two paths cannot differ. The plugin's <c>ka.*</c> fields give the request, the user and the
/// target; the json plugin's <c>json.value[/pointer]</c> gives any other member (the requesting pod is
/// <c>json.value[/user/extra/authentication.kubernetes.io~1pod-name]</c>, which no <c>ka.*</c> field has); a
/// <c>json.obj</c> field is the whole event and is decoded as it is.
/// </summary>
internal static class FalcoAuditAlert
{
    /// <summary>The Falco source of the k8saudit plugin's events.</summary>
    public const string Source = "k8s_audit";

    /// <summary>The <c>ka.*</c> fields that hold one value, and where the audit Event has it.</summary>
    private static readonly (string Field, string Pointer)[] Values =
    [
        ("ka.auditid", "/auditID"), ("ka.stage", "/stage"), ("ka.verb", "/verb"), ("ka.uri", "/requestURI"),
        ("ka.user.name", "/user/username"), ("ka.impuser.name", "/impersonatedUser/username"),
        ("ka.target.name", "/objectRef/name"), ("ka.target.namespace", "/objectRef/namespace"),
        ("ka.target.resource", "/objectRef/resource"), ("ka.target.subresource", "/objectRef/subresource"),
        ("ka.useragent", "/userAgent"), ("ka.auth.decision", "/annotations/authorization.k8s.io~1decision"),
        ("ka.auth.reason", "/annotations/authorization.k8s.io~1reason"), ("ka.response.reason", "/responseStatus/reason"),
    ];

    /// <summary>The <c>ka.*</c> list fields (Falco prints a list as a JSON array, or as <c>(a,b)</c> in text output).</summary>
    private static readonly (string Field, string Pointer)[] Lists = [("ka.user.groups", "/user/groups"), ("ka.sourceips", "/sourceIPs")];

    /// <summary>An audit Event's members nest a few levels (<c>/requestObject/spec/containers/0/...</c>).</summary>
    private const int MaxPointerDepth = 16;

    private static readonly string[] WholeEventFields = ["json.obj", "jevt.obj"];

    private static readonly string[] ValueFieldPrefixes = ["json.value[", "jevt.value["];

    public static SecurityEvent Map(FalcoAlert alert, Func<string, string?> field)
    {
        var decoded = new DecodedInput();
        bool isEvent;
        try
        {
            JsonObject audit = WholeEvent(field) ?? Rebuild(alert, field);
            isEvent = AuditEventDecoder.Decode(JsonSerializer.SerializeToUtf8Bytes(audit), decoded, out _) && decoded.Events.Count == 1;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            // Deeper than a JSON writer or reader goes, or a json.value object with a duplicate key to set a member in.
            throw new EventDecodeException($"a k8s_audit alert's fields make no audit event: {ex.GetType().Name}: {ex.Message}");
        }

        if (!isEvent)
        {
            throw new EventDecodeException("the audit event of a k8s_audit alert's fields is no single audit.k8s.io/v1 Event");
        }

        return decoded.Events[0] with { Source = EventSources.Falco, HostName = alert.Hostname };
    }

    private static JsonObject? WholeEvent(Func<string, string?> field)
    {
        foreach (string name in WholeEventFields)
        {
            if (field(name) is { } text)
            {
                return Parse(text) as JsonObject ?? throw new EventDecodeException($"output field '{name}' is no JSON object");
            }
        }

        return null;
    }

    private static JsonObject Rebuild(FalcoAlert alert, Func<string, string?> field)
    {
        var audit = new JsonObject { ["apiVersion"] = "audit.k8s.io/v1", ["kind"] = "Event", ["level"] = "Metadata" };
        foreach ((string name, string pointer) in Values)
        {
            if (field(name) is { } value)
            {
                Set(audit, pointer, JsonValue.Create(value));
            }
        }

        foreach ((string name, string pointer) in Lists)
        {
            if (field(name) is { } value)
            {
                Set(audit, pointer, List(name, value));
            }
        }

        if (field("ka.response.code") is { } code)
        {
            Set(audit, "/responseStatus/code", int.TryParse(code, out int number) ? number : throw new EventDecodeException($"output field 'ka.response.code' is no integer: {ArgumentForms.TextForm(code)}"));
        }

        foreach ((string name, string value) in alert.Fields)
        {
            if (ValuePointer(name) is { } pointer && value != FalcoAlertDecoder.NotAvailable)
            {
                // json.value prints a string bare and anything else as JSON: a member the audit Event holds as a
                // string stays text, so that a user agent or a name that looks like JSON changes nothing.
                Set(audit, pointer, IsText(pointer) ? JsonValue.Create(value) : Parse(value) ?? JsonValue.Create(value));
            }
        }

        if (audit["stageTimestamp"] is null && audit["requestReceivedTimestamp"] is null && alert.Time is { } time)
        {
            audit["stageTimestamp"] = time.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        return audit;
    }

    /// <summary>
    /// The audit Event's string members, by pointer: where the single-valued <c>ka.*</c> fields go, and <c>level</c>
    /// and <c>user.uid</c> (any member of <c>objectRef</c> and <c>annotations</c> too, in <see cref="IsText"/>).
    /// </summary>
    private static readonly HashSet<string> TextMembers = new([.. Values.Select(v => v.Pointer), "/level", "/user/uid"], StringComparer.Ordinal);

    private static bool IsText(string pointer) =>
        TextMembers.Contains(pointer) || pointer.StartsWith("/objectRef/", StringComparison.Ordinal) || pointer.StartsWith("/annotations/", StringComparison.Ordinal);

    /// <summary>The pointer of a <c>json.value[/pointer]</c> field; null for another field.</summary>
    private static string? ValuePointer(string name)
    {
        foreach (string prefix in ValueFieldPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(']'))
            {
                string pointer = name[prefix.Length..^1];
                return pointer.StartsWith('/') ? pointer : "/" + pointer;
            }
        }

        return null;
    }

    /// <summary>Sets the member at an RFC 6901 pointer, making the objects on the way; a member that is no object on the way is replaced.</summary>
    private static void Set(JsonObject root, string pointer, JsonNode? value)
    {
        string[] keys = pointer[1..].Split('/');
        if (keys.Length > MaxPointerDepth)
        {
            throw new EventDecodeException($"output field pointer {ArgumentForms.TextForm(pointer)} is deeper than {MaxPointerDepth} members");
        }

        JsonObject target = root;
        for (int i = 0; i < keys.Length - 1; i++)
        {
            string key = Unescape(keys[i]);
            if (target[key] is not JsonObject next)
            {
                target[key] = next = [];
            }

            target = next;
        }

        target[Unescape(keys[^1])] = value;
    }

    private static string Unescape(string key) => key.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static JsonArray List(string name, string text)
    {
        if (text.StartsWith('['))
        {
            return Parse(text) as JsonArray ?? throw new EventDecodeException($"output field '{name}' is no JSON array");
        }

        string items = text.StartsWith('(') && text.EndsWith(')') ? text[1..^1] : text;
        return [.. items.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(item => (JsonNode?)JsonValue.Create(item))];
    }

    /// <summary>The JSON value of a text that is JSON (an object, an array, a number); null for any other text.</summary>
    private static JsonNode? Parse(string text)
    {
        if (text.Length == 0 || !(text[0] is '{' or '[' or '-' || char.IsAsciiDigit(text[0])))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = JsonValueReader.Options.MaxDepth });
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
