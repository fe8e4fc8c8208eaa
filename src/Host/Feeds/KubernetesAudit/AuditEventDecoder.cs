using System.Text.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.KubernetesAudit;

/// <summary>
/// Decodes <c>audit.k8s.io/v1</c> <c>Event</c> records (audit log lines) and <c>EventList</c> batches (the
/// webhook backend's POST body).
/// </summary>
internal static class AuditEventDecoder
{
    public const string PodNameExtra = "authentication.kubernetes.io/pod-name";
    public const string PodUidExtra = "authentication.kubernetes.io/pod-uid";
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    public static bool IsAudit(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("apiVersion", out JsonElement apiVersion)
        && apiVersion.ValueKind == JsonValueKind.String
        && apiVersion.GetString()!.StartsWith("audit.k8s.io/", StringComparison.Ordinal);

    /// <summary>
    /// Decodes an <c>Event</c> or every item of an <c>EventList</c> into <paramref name="decoded"/>: a bad item is
    /// one of its problems, and the other items are kept. A document that is no audit event throws.
    /// </summary>
    public static void Decode(JsonElement root, DecodedInput decoded)
    {
        string? apiVersion = JsonFields.String(root, "apiVersion");
        if (apiVersion != "audit.k8s.io/v1")
        {
            throw new EventDecodeException($"apiVersion '{apiVersion}' is not supported (expected audit.k8s.io/v1)");
        }

        switch (JsonFields.String(root, "kind"))
        {
            case "Event":
                decoded.Events.Add(DecodeEvent(root));
                break;
            case "EventList":
                if (!root.TryGetProperty("items", out JsonElement items) || items.ValueKind != JsonValueKind.Array)
                {
                    throw new EventDecodeException("EventList has no 'items' array");
                }

                int index = 0;
                foreach (JsonElement item in items.EnumerateArray())
                {
                    try
                    {
                        decoded.Events.Add(DecodeEvent(item));
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        decoded.Problems.Add($"items[{index}]: {(ex is EventDecodeException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}")}");
                    }

                    index++;
                }

                break;
            case var kind:
                throw new EventDecodeException($"kind '{kind}' is not an audit Event or EventList");
        }
    }

    public static SecurityEvent DecodeEvent(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new EventDecodeException("an audit event must be an object");
        }

        JsonElement timeValue = item.TryGetProperty("requestReceivedTimestamp", out JsonElement received) ? received
            : item.TryGetProperty("stageTimestamp", out JsonElement staged) ? staged
            : throw new EventDecodeException("audit event has neither 'requestReceivedTimestamp' nor 'stageTimestamp'");

        JsonElement? user = JsonFields.Object(item, "user");
        JsonElement? extra = user is { } u ? JsonFields.Object(u, "extra") : null;
        IReadOnlyList<string>? pods = Extra(extra, PodNameExtra);
        IReadOnlyList<string>? podUids = Extra(extra, PodUidExtra);
        string? userName = user is { } un ? JsonFields.String(un, "username") : null;
        JsonElement? status = JsonFields.Object(item, "responseStatus");

        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in (ReadOnlySpan<string>)["auditID", "level", "userAgent", "sourceIPs", "objectRef"])
        {
            if (item.TryGetProperty(name, out JsonElement value))
            {
                args[name] = JsonFields.Text(value);
            }
        }

        return new SecurityEvent
        {
            Time = JsonFields.Timestamp(timeValue, "requestReceivedTimestamp"),
            Source = EventSources.KubernetesAudit,
            Name = EventNames.KubernetesAudit,
            Origin = EventOrigin.Host,
            Kubernetes = pods is { Count: > 0 } || ServiceAccountNamespace(userName) is not null
                ? new KubernetesInfo
                {
                    PodName = pods is { Count: > 0 } ? pods[0] : null,
                    Namespace = ServiceAccountNamespace(userName),
                    PodUid = podUids is { Count: > 0 } ? podUids[0] : null,
                }
                : null,
            Audit = new AuditInfo
            {
                Stage = JsonFields.String(item, "stage"),
                Verb = JsonFields.String(item, "verb"),
                User = userName,
                RequestingPods = pods,
                RequestUri = JsonFields.String(item, "requestURI"),
                ResponseCode = status is { } s ? JsonFields.Int32(s, "code") : null,
            },
            Arguments = args,
        };
    }

    private static IReadOnlyList<string>? Extra(JsonElement? extra, string key) =>
        extra is { } e && e.TryGetProperty(key, out JsonElement values) ? JsonFields.StringArray(values, $"user.extra[\"{key}\"]") : null;

    /// <summary>The namespace of a <c>system:serviceaccount:NAMESPACE:NAME</c> user.</summary>
    private static string? ServiceAccountNamespace(string? userName)
    {
        if (userName is null || !userName.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        string rest = userName[ServiceAccountPrefix.Length..];
        int colon = rest.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? rest[..colon] : null;
    }
}
