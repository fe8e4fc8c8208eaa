using System.Text.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>
/// Decodes Tracee's JSON output: the <c>tracee -o json</c> event of v0.24 and earlier (<c>eventName</c>,
/// <c>args</c>), and the <c>v1beta1.Event</c> JSON of newer Tracee (<c>name</c>, <c>workload</c>, <c>data</c>),
/// in both its snake_case and protojson camelCase spellings.
/// </summary>
internal static class TraceeJsonDecoder
{
    public static bool IsLegacy(JsonElement root) =>
        root.TryGetProperty("eventName", out _) && (root.TryGetProperty("args", out _) || root.TryGetProperty("processName", out _));

    public static bool IsV1Beta1(JsonElement root) =>
        root.TryGetProperty("name", out _) && (root.TryGetProperty("workload", out _) || root.TryGetProperty("data", out JsonElement data) && data.ValueKind == JsonValueKind.Array);

    public static SecurityEvent DecodeLegacy(JsonElement root)
    {
        string name = JsonFields.String(root, "eventName") ?? throw new EventDecodeException("field 'eventName' is missing");
        long timestamp = JsonFields.Integer(root, "timestamp") ?? throw new EventDecodeException("field 'timestamp' is missing");

        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = new Dictionary<string, TraceeValue>(StringComparer.Ordinal);
        if (root.TryGetProperty("args", out JsonElement argList) && argList.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement arg in argList.EnumerateArray())
            {
                if (arg.ValueKind != JsonValueKind.Object)
                {
                    throw new EventDecodeException("an element of 'args' is not an object");
                }

                string argName = JsonFields.String(arg, "name") ?? throw new EventDecodeException("an element of 'args' has no 'name'");
                JsonElement value = arg.TryGetProperty("value", out JsonElement v) ? v : default;
                Add(args, values, argName, value);
            }
        }
        else if (root.TryGetProperty("args", out JsonElement notArray) && notArray.ValueKind != JsonValueKind.Null)
        {
            throw new EventDecodeException("field 'args' must be an array");
        }

        string? containerId = JsonFields.String(root, "containerId");
        JsonElement? container = JsonFields.Object(root, "container");
        containerId = string.IsNullOrEmpty(containerId) && container is { } c ? JsonFields.String(c, "id") : containerId;
        JsonElement? kubernetes = JsonFields.Object(root, "kubernetes");
        JsonElement? executable = JsonFields.Object(root, "executable");

        return new TraceeEventParts
        {
            Name = name,
            Time = JsonFields.FromUnixNanoseconds(timestamp),
            HostName = JsonFields.String(root, "hostName"),
            Process = new ProcessInfo
            {
                Pid = JsonFields.Int32(root, "processId"),
                HostPid = JsonFields.Int32(root, "hostProcessId"),
                ParentPid = JsonFields.Int32(root, "hostParentProcessId"),
                EntityId = (ulong?)JsonFields.UInt32(JsonFields.Integer(root, "processEntityId"), "processEntityId"),
                Name = JsonFields.String(root, "processName"),
                Executable = executable is { } e ? JsonFields.NonEmpty(JsonFields.String(e, "path")) : null,
                Uid = JsonFields.UInt32(JsonFields.Integer(root, "userId"), "userId"),
            },
            ContainerId = containerId,
            ContainerName = container is { } cn ? JsonFields.String(cn, "name") : null,
            ContainerImage = container is { } ci ? JsonFields.String(ci, "image") : null,
            PodName = kubernetes is { } kp ? JsonFields.String(kp, "podName") : null,
            Namespace = kubernetes is { } kn ? JsonFields.String(kn, "podNamespace") : null,
            PodUid = kubernetes is { } ku ? JsonFields.String(ku, "podUID") : null,
            Arguments = args,
            Values = values,
        }.ToContract();
    }

    public static SecurityEvent DecodeV1Beta1(JsonElement root)
    {
        string name = JsonFields.String(root, "name") ?? throw new EventDecodeException("field 'name' is missing");
        DateTimeOffset time = root.TryGetProperty("timestamp", out JsonElement ts)
            ? JsonFields.Timestamp(ts, "timestamp")
            : throw new EventDecodeException("field 'timestamp' is missing");

        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = new Dictionary<string, TraceeValue>(StringComparer.Ordinal);
        if (root.TryGetProperty("data", out JsonElement data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in data.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new EventDecodeException("an element of 'data' is not an object");
                }

                string argName = JsonFields.String(item, "name") ?? throw new EventDecodeException("an element of 'data' has no 'name'");
                JsonElement value = DataValue(item);
                if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("value", out JsonElement wrapped))
                {
                    value = wrapped; // protojson StringArray / Int32Array: {"value": [...]}
                }

                Add(args, values, argName, value);
            }
        }

        JsonElement? workload = JsonFields.Object(root, "workload");
        JsonElement? process = workload is { } w ? JsonFields.Object(w, "process") : null;
        JsonElement? container = workload is { } w2 ? JsonFields.Object(w2, "container") : null;
        JsonElement? k8s = workload is { } w3 ? JsonFields.Object(w3, "k8s") : null;
        string? containerId = container is { } c ? JsonFields.NonEmpty(JsonFields.String(c, "id")) : null;

        JsonElement? image = container is { } ci ? JsonFields.Object(ci, "image") : null;
        JsonElement? pod = k8s is { } kp ? JsonFields.Object(kp, "pod") : null;
        JsonElement? ns = k8s is { } kn ? JsonFields.Object(kn, "namespace") : null;
        return new TraceeEventParts
        {
            Name = name,
            Time = time,
            Process = process is { } p ? V1Beta1Process(p) : new ProcessInfo(),
            ContainerId = containerId,
            ContainerName = container is { } cn ? JsonFields.String(cn, "name") : null,
            ContainerImage = image is { } i ? JsonFields.String(i, "name") : null,
            PodName = pod is { } pn ? JsonFields.String(pn, "name") : null,
            Namespace = ns is { } nn ? JsonFields.String(nn, "name") : null,
            PodUid = pod is { } pu ? JsonFields.String(pu, "uid") : null,
            Arguments = args,
            Values = values,
        }.ToContract();
    }

    private static ProcessInfo V1Beta1Process(JsonElement process)
    {
        JsonElement? executable = JsonFields.Object(process, "executable");
        JsonElement? user = JsonFields.Object(process, "real_user", "realUser");
        JsonElement? thread = JsonFields.Object(process, "thread");
        int? parent = null;
        if (process.TryGetProperty("ancestors", out JsonElement ancestors) && ancestors.ValueKind == JsonValueKind.Array && ancestors.GetArrayLength() > 0)
        {
            if (ancestors[0].ValueKind != JsonValueKind.Object)
            {
                throw new EventDecodeException("an element of 'workload.process.ancestors' is not an object");
            }

            parent = JsonFields.Int32(ancestors[0], "host_pid", "hostPid");
        }

        return new ProcessInfo
        {
            Pid = JsonFields.Int32(process, "pid"),
            HostPid = JsonFields.Int32(process, "host_pid", "hostPid"),
            ParentPid = parent,
            EntityId = (ulong?)JsonFields.UInt32(JsonFields.Integer(process, "unique_id", "uniqueId"), "unique_id"),
            Name = thread is { } t ? JsonFields.NonEmpty(JsonFields.String(t, "name")) : null,
            Executable = executable is { } e ? JsonFields.NonEmpty(JsonFields.String(e, "path")) : null,
            Uid = user is { } u ? JsonFields.UInt32(JsonFields.Integer(u, "id"), "real_user.id") : null,
        };
    }

    /// <summary>
    /// The value of a <c>data</c> element: <c>value</c> in Tracee's own JSON, or the protojson oneof member
    /// (<c>str</c>, <c>int32</c>, <c>strArray</c>, ...) in generic protobuf JSON.
    /// </summary>
    private static JsonElement DataValue(JsonElement item)
    {
        foreach (JsonProperty property in item.EnumerateObject())
        {
            if (property.Name != "name")
            {
                return property.Value;
            }
        }

        return default;
    }

    /// <summary>Keeps an argument's text for the event's argument map, and its value when a typed part is read from it.</summary>
    private static void Add(Dictionary<string, string> args, Dictionary<string, TraceeValue> values, string name, JsonElement value)
    {
        args[name] = value.ValueKind == JsonValueKind.Undefined ? string.Empty : JsonFields.Text(value);
        if (TraceeArguments.IsInterpreted(name))
        {
            values[name] = TraceeValue.FromJson(value);
        }
    }
}
