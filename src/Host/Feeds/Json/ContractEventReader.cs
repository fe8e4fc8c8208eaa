using System.Text.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Json;

/// <summary>
/// Reads a contract event in the form Sigs writes it (<see cref="Contract.ContractJson"/>: camelCase names, nulls
/// left out, numbers as numbers) in one pass with <see cref="Utf8JsonReader"/>, about three times cheaper than the
/// serializer; a correlator reads every forwarded event this way. Anything else the serializer would also take or
/// refuse (other letter case, numbers as text, nulls, a key twice, unknown keys, invalid JSON) gives null, and the
/// caller asks the serializer, whose result and error messages stay the rule.
/// </summary>
internal static class ContractEventReader
{
    public static SecurityEvent? TryRead(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            return Object(ref reader, default(EventParts), out SecurityEvent? read) && !reader.Read() ? read : null; // anything after the object: the serializer names it
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null; // invalid JSON, or invalid UTF-8 in an escaped string
        }
    }

    /// <summary>One object's members as they are read, and what they make. A struct, so reading allocates nothing for it.</summary>
    private interface IParts<out T>
        where T : class
    {
        /// <summary>Reads the member whose name is at the reader; false when it is not one this object takes in Sigs' form (or came before).</summary>
        bool Member(ref Utf8JsonReader reader);

        /// <summary>The object, or null when a member it needs was missing.</summary>
        T? Build();
    }

    /// <summary>Reads the next value as an object of <typeparamref name="TParts"/>'s members; false when it is anything else.</summary>
    private static bool Object<TParts, T>(ref Utf8JsonReader reader, TParts parts, out T? value)
        where TParts : struct, IParts<T>
        where T : class
    {
        value = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!parts.Member(ref reader))
            {
                return false;
            }
        }

        value = reader.TokenType == JsonTokenType.EndObject ? parts.Build() : null;
        return value is not null;
    }

    private struct EventParts : IParts<SecurityEvent>
    {
        private DateTimeOffset? _time;
        private string? _source, _name, _hostName;
        private EventOrigin? _origin;
        private ProcessInfo? _process;
        private ContainerInfo? _container;
        private KubernetesInfo? _kubernetes;
        private FileEventInfo? _file;
        private AuditInfo? _audit;
        private Dictionary<string, string>? _arguments;

        public bool Member(ref Utf8JsonReader reader) =>
            reader.ValueTextEquals("time"u8) ? _time is null && Time(ref reader, out _time)
            : reader.ValueTextEquals("source"u8) ? _source is null && Text(ref reader, out _source)
            : reader.ValueTextEquals("name"u8) ? _name is null && Text(ref reader, out _name)
            : reader.ValueTextEquals("origin"u8) ? _origin is null && Origin(ref reader, out _origin)
            : reader.ValueTextEquals("hostName"u8) ? _hostName is null && Text(ref reader, out _hostName)
            : reader.ValueTextEquals("process"u8) ? _process is null && Object(ref reader, default(ProcessParts), out _process)
            : reader.ValueTextEquals("container"u8) ? _container is null && Object(ref reader, default(ContainerParts), out _container)
            : reader.ValueTextEquals("kubernetes"u8) ? _kubernetes is null && Object(ref reader, default(KubernetesParts), out _kubernetes)
            : reader.ValueTextEquals("file"u8) ? _file is null && Object(ref reader, default(FileParts), out _file)
            : reader.ValueTextEquals("audit"u8) ? _audit is null && Object(ref reader, default(AuditParts), out _audit)
            : reader.ValueTextEquals("args"u8) && _arguments is null && Object(ref reader, new ArgumentParts(), out _arguments);

        public readonly SecurityEvent? Build()
        {
            if (_time is null || _source is null || _name is null)
            {
                return null;
            }

            var securityEvent = new SecurityEvent
            {
                Time = _time.Value,
                Source = _source,
                Name = _name,
                Origin = _origin ?? EventOrigin.Host,
                HostName = _hostName,
                Process = _process,
                Container = _container,
                Kubernetes = _kubernetes,
                File = _file,
                Audit = _audit,
            };
            return _arguments is null ? securityEvent : securityEvent with { Arguments = _arguments };
        }
    }

    private struct ProcessParts : IParts<ProcessInfo>
    {
        private int? _pid, _hostPid, _parentPid;
        private ulong? _entityId;
        private string? _name, _executable, _tty, _userName, _workingDirectory, _parentExecutable;
        private List<string>? _args, _parentArgs;
        private uint? _uid;
        private bool? _interactive, _argsTruncated;

        public bool Member(ref Utf8JsonReader reader) =>
            reader.ValueTextEquals("pid"u8) ? _pid is null && Int(ref reader, out _pid)
            : reader.ValueTextEquals("hostPid"u8) ? _hostPid is null && Int(ref reader, out _hostPid)
            : reader.ValueTextEquals("parentPid"u8) ? _parentPid is null && Int(ref reader, out _parentPid)
            : reader.ValueTextEquals("entityId"u8) ? _entityId is null && ULong(ref reader, out _entityId)
            : reader.ValueTextEquals("name"u8) ? _name is null && Text(ref reader, out _name)
            : reader.ValueTextEquals("executable"u8) ? _executable is null && Text(ref reader, out _executable)
            : reader.ValueTextEquals("args"u8) ? _args is null && Texts(ref reader, out _args)
            : reader.ValueTextEquals("argsTruncated"u8) ? _argsTruncated is null && Bool(ref reader, out _argsTruncated)
            : reader.ValueTextEquals("uid"u8) ? _uid is null && UInt(ref reader, out _uid)
            : reader.ValueTextEquals("interactive"u8) ? _interactive is null && Bool(ref reader, out _interactive)
            : reader.ValueTextEquals("tty"u8) ? _tty is null && Text(ref reader, out _tty)
            : reader.ValueTextEquals("userName"u8) ? _userName is null && Text(ref reader, out _userName)
            : reader.ValueTextEquals("workingDirectory"u8) ? _workingDirectory is null && Text(ref reader, out _workingDirectory)
            : reader.ValueTextEquals("parentExecutable"u8) ? _parentExecutable is null && Text(ref reader, out _parentExecutable)
            : reader.ValueTextEquals("parentArgs"u8) && _parentArgs is null && Texts(ref reader, out _parentArgs);

        public readonly ProcessInfo Build() => new()
        {
            Pid = _pid, HostPid = _hostPid, ParentPid = _parentPid, EntityId = _entityId, Name = _name, Executable = _executable,
            Args = _args, ArgsTruncated = _argsTruncated, Uid = _uid, Interactive = _interactive, Tty = _tty,
            UserName = _userName, WorkingDirectory = _workingDirectory, ParentExecutable = _parentExecutable, ParentArgs = _parentArgs,
        };
    }

    private struct ContainerParts : IParts<ContainerInfo>
    {
        private string? _id, _name, _image;

        public bool Member(ref Utf8JsonReader reader) =>
            reader.ValueTextEquals("id"u8) ? _id is null && Text(ref reader, out _id)
            : reader.ValueTextEquals("name"u8) ? _name is null && Text(ref reader, out _name)
            : reader.ValueTextEquals("image"u8) && _image is null && Text(ref reader, out _image);

        public readonly ContainerInfo Build() => new() { Id = _id, Name = _name, Image = _image };
    }

    private struct KubernetesParts : IParts<KubernetesInfo>
    {
        private string? _pod, _namespace, _uid, _node;

        public bool Member(ref Utf8JsonReader reader) =>
            reader.ValueTextEquals("podName"u8) ? _pod is null && Text(ref reader, out _pod)
            : reader.ValueTextEquals("namespace"u8) ? _namespace is null && Text(ref reader, out _namespace)
            : reader.ValueTextEquals("podUid"u8) ? _uid is null && Text(ref reader, out _uid)
            : reader.ValueTextEquals("nodeName"u8) && _node is null && Text(ref reader, out _node);

        public readonly KubernetesInfo Build() => new() { PodName = _pod, Namespace = _namespace, PodUid = _uid, NodeName = _node };
    }

    private struct FileParts : IParts<FileEventInfo>
    {
        private string? _path, _oldPath, _newPath;
        private int? _flags;

        public bool Member(ref Utf8JsonReader reader) =>
            reader.ValueTextEquals("path"u8) ? _path is null && Text(ref reader, out _path)
            : reader.ValueTextEquals("flags"u8) ? _flags is null && Int(ref reader, out _flags)
            : reader.ValueTextEquals("oldPath"u8) ? _oldPath is null && Text(ref reader, out _oldPath)
            : reader.ValueTextEquals("newPath"u8) && _newPath is null && Text(ref reader, out _newPath);

        public readonly FileEventInfo Build() => new() { Path = _path, Flags = _flags, OldPath = _oldPath, NewPath = _newPath };
    }

    private struct AuditParts : IParts<AuditInfo>
    {
        private string? _stage, _verb, _user, _uri, _userAgent;
        private List<string>? _pods, _nodes, _groups, _sourceIps;
        private AuditObjectReference? _objectRef;
        private Dictionary<string, IReadOnlyList<string>>? _extra;
        private JsonElement? _requestObject;
        private int? _code;

        public bool Member(ref Utf8JsonReader reader) =>
            reader.ValueTextEquals("stage"u8) ? _stage is null && Text(ref reader, out _stage)
            : reader.ValueTextEquals("verb"u8) ? _verb is null && Text(ref reader, out _verb)
            : reader.ValueTextEquals("user"u8) ? _user is null && Text(ref reader, out _user)
            : reader.ValueTextEquals("requestingPods"u8) ? _pods is null && Texts(ref reader, out _pods)
            : reader.ValueTextEquals("requestingNodes"u8) ? _nodes is null && Texts(ref reader, out _nodes)
            : reader.ValueTextEquals("requestUri"u8) ? _uri is null && Text(ref reader, out _uri)
            : reader.ValueTextEquals("responseCode"u8) ? _code is null && Int(ref reader, out _code)
            : reader.ValueTextEquals("objectRef"u8) ? _objectRef is null && Object(ref reader, default(ObjectRefParts), out _objectRef)
            : reader.ValueTextEquals("userGroups"u8) ? _groups is null && Texts(ref reader, out _groups)
            : reader.ValueTextEquals("sourceIps"u8) ? _sourceIps is null && Texts(ref reader, out _sourceIps)
            : reader.ValueTextEquals("userAgent"u8) ? _userAgent is null && Text(ref reader, out _userAgent)
            : reader.ValueTextEquals("userExtra"u8) ? _extra is null && Object(ref reader, new ExtraParts(), out _extra)
            : reader.ValueTextEquals("requestObject"u8) && _requestObject is null && Json(ref reader, out _requestObject);

        public readonly AuditInfo Build() => new()
        {
            Stage = _stage, Verb = _verb, User = _user, RequestingPods = _pods, RequestingNodes = _nodes, RequestUri = _uri, ResponseCode = _code,
            ObjectRef = _objectRef, UserGroups = _groups, SourceIps = _sourceIps, UserAgent = _userAgent, UserExtra = _extra,
            RequestObject = _requestObject,
        };
    }

    /// <summary><c>audit.userExtra</c>: keys to lists of strings, each key once.</summary>
    private readonly struct ExtraParts() : IParts<Dictionary<string, IReadOnlyList<string>>>
    {
        private readonly Dictionary<string, IReadOnlyList<string>> _extra = new(StringComparer.Ordinal);

        public bool Member(ref Utf8JsonReader reader) =>
            Valid(in reader) is { } key && Texts(ref reader, out List<string>? values) && _extra.TryAdd(key, values!);

        public Dictionary<string, IReadOnlyList<string>> Build() => _extra;
    }

    /// <summary><c>audit.objectRef</c>.</summary>
    private struct ObjectRefParts : IParts<AuditObjectReference>
    {
        private string? _resource, _subresource, _namespace, _name, _apiGroup, _apiVersion;

        public bool Member(ref Utf8JsonReader reader) =>
            reader.ValueTextEquals("resource"u8) ? _resource is null && Text(ref reader, out _resource)
            : reader.ValueTextEquals("subresource"u8) ? _subresource is null && Text(ref reader, out _subresource)
            : reader.ValueTextEquals("namespace"u8) ? _namespace is null && Text(ref reader, out _namespace)
            : reader.ValueTextEquals("name"u8) ? _name is null && Text(ref reader, out _name)
            : reader.ValueTextEquals("apiGroup"u8) ? _apiGroup is null && Text(ref reader, out _apiGroup)
            : reader.ValueTextEquals("apiVersion"u8) && _apiVersion is null && Text(ref reader, out _apiVersion);

        public readonly AuditObjectReference Build() => new()
        {
            Resource = _resource, Subresource = _subresource, Namespace = _namespace, Name = _name, ApiGroup = _apiGroup, ApiVersion = _apiVersion,
        };
    }

    /// <summary><c>args</c>: names to strings, each name once.</summary>
    private readonly struct ArgumentParts() : IParts<Dictionary<string, string>>
    {
        private readonly Dictionary<string, string> _arguments = new(StringComparer.Ordinal);

        public bool Member(ref Utf8JsonReader reader) =>
            Valid(in reader) is { } name && Text(ref reader, out string? value) && _arguments.TryAdd(name, value!);

        public Dictionary<string, string> Build() => _arguments;
    }

    private static bool Text(ref Utf8JsonReader reader, out string? text)
    {
        text = reader.Read() && reader.TokenType == JsonTokenType.String ? Valid(in reader) : null;
        return text is not null;
    }

    /// <summary>The string at the reader; null when its bytes are not UTF-8 (the serializer refuses them, <see cref="RecentStrings"/> would not).</summary>
    private static string? Valid(ref readonly Utf8JsonReader reader) =>
        reader.ValueIsEscaped || System.Text.Unicode.Utf8.IsValid(reader.ValueSpan) ? RecentStrings.Get(in reader) : null;

    private static bool Texts(ref Utf8JsonReader reader, out List<string>? texts)
    {
        texts = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var read = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            if (Valid(in reader) is not { } text)
            {
                return false;
            }

            read.Add(text);
        }

        texts = read;
        return reader.TokenType == JsonTokenType.EndArray;
    }

    /// <summary>Any JSON value but null (which Sigs does not write), kept as a copy.</summary>
    private static bool Json(ref Utf8JsonReader reader, out JsonElement? value)
    {
        value = reader.Read() && reader.TokenType != JsonTokenType.Null ? JsonElement.ParseValue(ref reader) : null;
        return value is not null;
    }

    private static bool Time(ref Utf8JsonReader reader, out DateTimeOffset? time)
    {
        time = reader.Read() && reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out DateTimeOffset value) ? value : null;
        return time is not null;
    }

    private static bool Origin(ref Utf8JsonReader reader, out EventOrigin? origin)
    {
        origin = !reader.Read() || reader.TokenType != JsonTokenType.String ? null
            : reader.ValueTextEquals("host"u8) ? EventOrigin.Host
            : reader.ValueTextEquals("container"u8) ? EventOrigin.Container
            : null;
        return origin is not null;
    }

    private static bool Int(ref Utf8JsonReader reader, out int? number)
    {
        number = reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : null;
        return number is not null;
    }

    private static bool UInt(ref Utf8JsonReader reader, out uint? number)
    {
        number = reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out uint value) ? value : null;
        return number is not null;
    }

    private static bool ULong(ref Utf8JsonReader reader, out ulong? number)
    {
        number = reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out ulong value) ? value : null;
        return number is not null;
    }

    private static bool Bool(ref Utf8JsonReader reader, out bool? value)
    {
        value = reader.Read() && reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean() : null;
        return value is not null;
    }
}
