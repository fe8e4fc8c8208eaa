using System.Text.Json;
using Sigs.Host.Feeds.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>
/// Decodes the <c>v1beta1.Event</c> JSON of newer Tracee (<c>name</c>, <c>workload</c>, <c>data</c>), in both its
/// snake_case and protojson camelCase spellings, in one pass over its bytes.
/// </summary>
internal static class TraceeV1Beta1Json
{
    private static readonly PropertyNames<Field> Fields = FormatDetection.TopLevelNames(
        ("name", Field.Name), ("timestamp", Field.Timestamp), ("workload", Field.Workload), ("data", Field.Data));

    private static readonly PropertyNames<Field> WorkloadFields = new(("process", Field.Process), ("container", Field.Container), ("k8s", Field.K8s));

    private static readonly PropertyNames<Field> ContainerFields = new(("id", Field.Id), ("name", Field.Name), ("image", Field.Image));

    private static readonly PropertyNames<Field> KubernetesFields = new(("pod", Field.Pod), ("namespace", Field.Namespace));

    private static readonly PropertyNames<Field> PodFields = new(("name", Field.Name), ("uid", Field.Uid));

    private static readonly PropertyNames<Field> ProcessFieldNames = new(
        ("pid", Field.Pid), ("host_pid", Field.HostPid), ("hostPid", Field.HostPidCamel), ("unique_id", Field.UniqueId),
        ("uniqueId", Field.UniqueIdCamel), ("thread", Field.Thread), ("executable", Field.Executable), ("real_user", Field.RealUser),
        ("realUser", Field.RealUserCamel), ("ancestors", Field.Ancestors));

    private static readonly PropertyNames<Field> AncestorFields = new(("host_pid", Field.HostPid), ("hostPid", Field.HostPidCamel));

    /// <summary>The fields of v1beta1's objects, each table above using some.</summary>
    private enum Field
    {
        Other, Name, Timestamp, Workload, Data, Process, Container, K8s, Id, Image, Pod, Namespace, Uid,
        Pid, HostPid, HostPidCamel, UniqueId, UniqueIdCamel, Thread, Executable, RealUser, RealUserCamel, Ancestors,
    }

    /// <summary>The event, or null when <paramref name="keys"/> say the document is in another format.</summary>
    public static SecurityEvent? Decode(ReadOnlySpan<byte> json, out FormatKeys keys)
    {
        var reader = new Utf8JsonReader(json, JsonValueReader.Options);
        keys = FormatKeys.None;
        string? name = null;
        DateTimeOffset? time = null;
        var workload = new Workload();
        var values = new Dictionary<string, TraceeValue>(StringComparer.Ordinal);
        Range? data = null;
        string? wrongData = null;

        TopLevel.Start(ref reader);
        while (Fields.Next(ref reader, out Field field, out FormatKeys key))
        {
            keys |= key;
            switch (field)
            {
                case Field.Name: name = JsonValueReader.String(ref reader, "name"); break;
                case Field.Timestamp: time = JsonValueReader.Timestamp(ref reader, "timestamp"); break;
                case Field.Workload: workload = Workload.Read(ref reader); break;
                case Field.Data when reader.TokenType == JsonTokenType.StartArray: data = TraceeJsonArguments.ReadArray(ref reader, json, v1beta1: true, values); break;
                case Field.Data when reader.TokenType != JsonTokenType.Null:
                    wrongData = JsonValueReader.Describe(reader.TokenType);
                    reader.Skip();
                    break;
                default: reader.Skip(); break;
            }
        }

        TopLevel.End(ref reader);
        if (FormatDetection.Detect(keys) != InputFormat.TraceeV1Beta1Json)
        {
            return null;
        }

        if (wrongData is not null)
        {
            throw new EventDecodeException($"field 'data' must be a list of arguments ({{\"name\": ..., \"value\": ...}} objects), not {wrongData}");
        }

        return new TraceeEventParts
        {
            Name = name ?? throw new EventDecodeException("field 'name' is missing"),
            Time = time ?? throw new EventDecodeException("field 'timestamp' is missing"),
            Process = workload.Process?.ToProcess() ?? new ProcessInfo(),
            ContainerId = JsonFields.NonEmpty(workload.ContainerId),
            ContainerName = workload.ContainerName,
            ContainerImage = workload.ContainerImage,
            PodName = workload.PodName,
            Namespace = workload.Namespace,
            PodUid = workload.PodUid,
            Arguments = TraceeJsonArguments.Map(json, data, v1beta1: true),
            Values = values,
        }.ToContract();
    }

    /// <summary><c>workload</c>: the process, the container and the pod.</summary>
    private sealed class Workload
    {
        public ProcessFields? Process { get; private set; }

        public string? ContainerId { get; private set; }

        public string? ContainerName { get; private set; }

        public string? ContainerImage { get; private set; }

        public string? PodName { get; private set; }

        public string? Namespace { get; private set; }

        public string? PodUid { get; private set; }

        public static Workload Read(ref Utf8JsonReader reader)
        {
            var workload = new Workload();
            if (!JsonValueReader.Object(ref reader, "workload"))
            {
                return workload;
            }

            while (WorkloadFields.Next(ref reader, out Field field))
            {
                switch (field)
                {
                    case Field.Process: workload.Process = ProcessFields.Read(ref reader); break;
                    case Field.Container: workload.ReadContainer(ref reader); break;
                    case Field.K8s: workload.ReadKubernetes(ref reader); break;
                    default: reader.Skip(); break;
                }
            }

            return workload;
        }

        private void ReadContainer(ref Utf8JsonReader reader)
        {
            (ContainerId, ContainerName, ContainerImage) = (null, null, null);
            if (!JsonValueReader.Object(ref reader, "container"))
            {
                return;
            }

            while (ContainerFields.Next(ref reader, out Field field))
            {
                switch (field)
                {
                    case Field.Id: ContainerId = JsonValueReader.String(ref reader, "id"); break;
                    case Field.Name: ContainerName = JsonValueReader.String(ref reader, "name"); break;
                    case Field.Image: ContainerImage = NameOf(ref reader, "image"); break;
                    default: reader.Skip(); break;
                }
            }
        }

        private void ReadKubernetes(ref Utf8JsonReader reader)
        {
            (PodName, Namespace, PodUid) = (null, null, null);
            if (!JsonValueReader.Object(ref reader, "k8s"))
            {
                return;
            }

            while (KubernetesFields.Next(ref reader, out Field field))
            {
                switch (field)
                {
                    case Field.Pod: ReadPod(ref reader); break;
                    case Field.Namespace: Namespace = NameOf(ref reader, "namespace"); break;
                    default: reader.Skip(); break;
                }
            }
        }

        private void ReadPod(ref Utf8JsonReader reader)
        {
            (PodName, PodUid) = (null, null);
            if (!JsonValueReader.Object(ref reader, "pod"))
            {
                return;
            }

            while (PodFields.Next(ref reader, out Field field))
            {
                switch (field)
                {
                    case Field.Name: PodName = JsonValueReader.String(ref reader, "name"); break;
                    case Field.Uid: PodUid = JsonValueReader.String(ref reader, "uid"); break;
                    default: reader.Skip(); break;
                }
            }
        }
    }

    /// <summary><c>workload.process</c>, where newer Tracee writes snake_case and protojson camelCase (snake_case wins).</summary>
    private sealed class ProcessFields
    {
        private int? _pid, _hostPid, _hostPidCamel, _parentPid;
        private long? _uniqueId, _uniqueIdCamel, _user, _userCamel;
        private bool _hasUser;
        private string? _threadName, _executable;

        public static ProcessFields Read(ref Utf8JsonReader reader)
        {
            var p = new ProcessFields();
            if (!JsonValueReader.Object(ref reader, "process"))
            {
                return p;
            }

            while (ProcessFieldNames.Next(ref reader, out Field field))
            {
                switch (field)
                {
                    case Field.Pid: p._pid = JsonValueReader.Int32(ref reader, "pid"); break;
                    case Field.HostPid: p._hostPid = JsonValueReader.Int32(ref reader, "host_pid"); break;
                    case Field.HostPidCamel: p._hostPidCamel = JsonValueReader.Int32(ref reader, "host_pid"); break;
                    case Field.UniqueId: p._uniqueId = JsonValueReader.Integer(ref reader, "unique_id"); break;
                    case Field.UniqueIdCamel: p._uniqueIdCamel = JsonValueReader.Integer(ref reader, "uniqueId"); break;
                    case Field.Thread: p._threadName = NameOf(ref reader, "thread"); break;
                    case Field.Executable: p._executable = PathOf(ref reader); break;
                    case Field.RealUser when reader.TokenType != JsonTokenType.Null: p._hasUser = true; p._user = IdOf(ref reader, "real_user"); break;
                    case Field.RealUserCamel: p._userCamel = IdOf(ref reader, "realUser"); break;
                    case Field.Ancestors when reader.TokenType == JsonTokenType.StartArray: p._parentPid = FirstAncestorPid(ref reader); break;
                    default: reader.Skip(); break;
                }
            }

            return p;
        }

        public ProcessInfo ToProcess() => new()
        {
            Pid = _pid,
            HostPid = _hostPid ?? _hostPidCamel,
            ParentPid = _parentPid,
            EntityId = (ulong?)JsonFields.UInt32(_uniqueId ?? _uniqueIdCamel, "unique_id"),
            Name = JsonFields.NonEmpty(_threadName),
            Executable = JsonFields.NonEmpty(_executable),
            Uid = JsonFields.UInt32(_hasUser ? _user : _userCamel, "real_user.id"),
        };

        /// <summary>The parent: the first ancestor's host pid (the other ancestors are not read).</summary>
        private static int? FirstAncestorPid(ref Utf8JsonReader reader)
        {
            int? pid = null;
            bool first = true;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (!first)
                {
                    reader.Skip();
                    continue;
                }

                first = false;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new EventDecodeException("an element of 'workload.process.ancestors' is not an object");
                }

                int? snake = null, camel = null;
                while (AncestorFields.Next(ref reader, out Field field))
                {
                    switch (field)
                    {
                        case Field.HostPid: snake = JsonValueReader.Int32(ref reader, "host_pid"); break;
                        case Field.HostPidCamel: camel = JsonValueReader.Int32(ref reader, "host_pid"); break;
                        default: reader.Skip(); break;
                    }
                }

                pid = snake ?? camel;
            }

            return pid;
        }
    }

    /// <summary>The <c>name</c> of an object such as <c>image</c>, <c>namespace</c> or <c>thread</c>.</summary>
    private static string? NameOf(ref Utf8JsonReader reader, string field) => JsonValueReader.MemberString(ref reader, field, "name");

    private static string? PathOf(ref Utf8JsonReader reader) => JsonValueReader.MemberString(ref reader, "executable", "path");

    private static long? IdOf(ref Utf8JsonReader reader, string field) => JsonValueReader.MemberInteger(ref reader, field, "id");
}
