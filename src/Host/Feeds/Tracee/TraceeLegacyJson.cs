using System.Text.Json;
using Sigs.Host.Feeds.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>
/// Decodes the <c>tracee -o json</c> event of Tracee v0.24 and earlier (<c>eventName</c>, <c>args</c>) in one pass
/// over its bytes.
/// </summary>
internal static class TraceeLegacyJson
{
    private static readonly PropertyNames<Field> Fields = FormatDetection.TopLevelNames(
        ("eventName", Field.EventName), ("timestamp", Field.Timestamp), ("hostName", Field.HostName), ("processId", Field.ProcessId),
        ("hostProcessId", Field.HostProcessId), ("hostParentProcessId", Field.HostParentProcessId), ("processEntityId", Field.ProcessEntityId),
        ("processName", Field.ProcessName), ("userId", Field.UserId), ("containerId", Field.ContainerId), ("executable", Field.Executable),
        ("container", Field.Container), ("kubernetes", Field.Kubernetes), ("args", Field.Args),
        // Tracee up to v0.12 wrote the pod and container at the top level.
        ("podName", Field.PodName), ("podNamespace", Field.PodNamespace), ("podUID", Field.PodUid),
        ("containerImage", Field.ContainerImage), ("containerName", Field.ContainerName));

    private static readonly PropertyNames<ContainerField> ContainerFieldNames = new(("id", ContainerField.Id), ("name", ContainerField.Name), ("image", ContainerField.Image));

    private static readonly PropertyNames<PodField> PodFieldNames = new(("podName", PodField.Name), ("podNamespace", PodField.Namespace), ("podUID", PodField.Uid));

    private enum Field
    {
        Other, EventName, Timestamp, HostName, ProcessId, HostProcessId, HostParentProcessId, ProcessEntityId, ProcessName, UserId,
        ContainerId, Executable, Container, Kubernetes, Args, PodName, PodNamespace, PodUid, ContainerImage, ContainerName,
    }

    private enum ContainerField
    {
        Other, Id, Name, Image,
    }

    private enum PodField
    {
        Other, Name, Namespace, Uid,
    }

    /// <summary>The event, or null when <paramref name="keys"/> say the document is in another format.</summary>
    public static SecurityEvent? Decode(ReadOnlySpan<byte> json, out FormatKeys keys)
    {
        var reader = new Utf8JsonReader(json, JsonValueReader.Options);
        keys = FormatKeys.None;
        string? name = null, hostName = null, processName = null, executable = null, containerId = null;
        string? topPodName = null, topNamespace = null, topPodUid = null, topImage = null, topContainerName = null;
        long? timestamp = null, entityId = null, userId = null;
        int? pid = null, hostPid = null, parentPid = null;
        ContainerFields container = default;
        PodFields pod = default;
        var values = new Dictionary<string, TraceeValue>(StringComparer.Ordinal);
        Range? args = null;

        TopLevel.Start(ref reader);
        while (Fields.Next(ref reader, out Field field, out FormatKeys key))
        {
            keys |= key;
            switch (field)
            {
                case Field.EventName: name = JsonValueReader.String(ref reader, "eventName"); break;
                case Field.Timestamp: timestamp = JsonValueReader.Integer(ref reader, "timestamp"); break;
                case Field.HostName: hostName = JsonValueReader.String(ref reader, "hostName"); break;
                case Field.ProcessId: pid = JsonValueReader.Int32(ref reader, "processId"); break;
                case Field.HostProcessId: hostPid = JsonValueReader.Int32(ref reader, "hostProcessId"); break;
                case Field.HostParentProcessId: parentPid = JsonValueReader.Int32(ref reader, "hostParentProcessId"); break;
                case Field.ProcessEntityId: entityId = JsonValueReader.Integer(ref reader, "processEntityId"); break;
                case Field.ProcessName: processName = JsonValueReader.String(ref reader, "processName"); break;
                case Field.UserId: userId = JsonValueReader.Integer(ref reader, "userId"); break;
                case Field.ContainerId: containerId = JsonValueReader.String(ref reader, "containerId"); break;
                case Field.Executable: executable = JsonValueReader.MemberString(ref reader, "executable", "path"); break;
                case Field.Container: container = ContainerFields.Read(ref reader); break;
                case Field.Kubernetes: pod = PodFields.Read(ref reader); break;
                case Field.PodName: topPodName = JsonValueReader.String(ref reader, "podName"); break;
                case Field.PodNamespace: topNamespace = JsonValueReader.String(ref reader, "podNamespace"); break;
                case Field.PodUid: topPodUid = JsonValueReader.String(ref reader, "podUID"); break;
                case Field.ContainerImage: topImage = JsonValueReader.String(ref reader, "containerImage"); break;
                case Field.ContainerName: topContainerName = JsonValueReader.String(ref reader, "containerName"); break;
                case Field.Args when reader.TokenType == JsonTokenType.StartArray: args = TraceeJsonArguments.ReadArray(ref reader, json, v1beta1: false, values); break;
                case Field.Args when reader.TokenType == JsonTokenType.Null:
                    values.Clear();
                    args = null;
                    break;
                case Field.Args: throw JsonValueReader.Wrong(in reader, "args", "an array");
                default: reader.Skip(); break;
            }
        }

        TopLevel.End(ref reader);
        if (FormatDetection.Detect(keys) != InputFormat.TraceeLegacyJson)
        {
            return null;
        }

        return new TraceeEventParts
        {
            Name = name ?? throw new EventDecodeException("field 'eventName' is missing"),
            Time = JsonFields.FromUnixNanoseconds(timestamp ?? throw new EventDecodeException("field 'timestamp' is missing")),
            HostName = hostName,
            Process = new ProcessInfo
            {
                Pid = pid,
                HostPid = hostPid,
                ParentPid = parentPid,
                EntityId = (ulong?)JsonFields.UInt32(entityId, "processEntityId"),
                Name = processName,
                Executable = JsonFields.NonEmpty(executable),
                Uid = JsonFields.UInt32(userId, "userId"),
            },
            ContainerId = string.IsNullOrEmpty(containerId) ? container.Id() : containerId,
            ContainerName = container.Name ?? JsonFields.NonEmpty(topContainerName),
            ContainerImage = container.Image ?? JsonFields.NonEmpty(topImage),
            PodName = pod.Name ?? JsonFields.NonEmpty(topPodName),
            Namespace = pod.Namespace ?? JsonFields.NonEmpty(topNamespace),
            PodUid = pod.Uid ?? JsonFields.NonEmpty(topPodUid),
            Arguments = TraceeJsonArguments.Map(json, args, v1beta1: false),
            Values = values,
        }.ToContract();
    }

    /// <summary>
    /// The legacy <c>container</c> object. Its <c>id</c> is used only when <c>containerId</c> is empty, so a
    /// malformed one refuses the event only then.
    /// </summary>
    private record struct ContainerFields(string? Name, string? Image, string? IdText, EventDecodeException? IdProblem)
    {
        public readonly string? Id() => IdProblem is null ? IdText : throw IdProblem;

        public static ContainerFields Read(ref Utf8JsonReader reader)
        {
            var fields = default(ContainerFields);
            if (!JsonValueReader.Object(ref reader, "container"))
            {
                return fields;
            }

            while (ContainerFieldNames.Next(ref reader, out ContainerField field))
            {
                switch (field)
                {
                    case ContainerField.Id:
                        fields.IdProblem = JsonValueReader.TryRead(ref reader, "id", JsonValueReader.String, out string? id);
                        fields.IdText = id;
                        break;
                    case ContainerField.Name: fields.Name = JsonValueReader.String(ref reader, "name"); break;
                    case ContainerField.Image: fields.Image = JsonValueReader.String(ref reader, "image"); break;
                    default: reader.Skip(); break;
                }
            }

            return fields;
        }
    }

    private record struct PodFields(string? Name, string? Namespace, string? Uid)
    {
        public static PodFields Read(ref Utf8JsonReader reader)
        {
            var fields = default(PodFields);
            if (!JsonValueReader.Object(ref reader, "kubernetes"))
            {
                return fields;
            }

            while (PodFieldNames.Next(ref reader, out PodField field))
            {
                switch (field)
                {
                    case PodField.Name: fields.Name = JsonValueReader.String(ref reader, "podName"); break;
                    case PodField.Namespace: fields.Namespace = JsonValueReader.String(ref reader, "podNamespace"); break;
                    case PodField.Uid: fields.Uid = JsonValueReader.String(ref reader, "podUID"); break;
                    default: reader.Skip(); break;
                }
            }

            return fields;
        }
    }
}
