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
            SecurityEvent? read = reader.Read() && reader.TokenType == JsonTokenType.StartObject ? Event(ref reader) : null;
            return read is not null && !reader.Read() ? read : null; // anything after the object: the serializer names it
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null; // invalid JSON, or invalid UTF-8 in an escaped string
        }
    }

    private static SecurityEvent? Event(ref Utf8JsonReader reader)
    {
        DateTimeOffset? time = null;
        string? source = null, name = null, hostName = null;
        EventOrigin? origin = null;
        ProcessInfo? process = null;
        ContainerInfo? container = null;
        KubernetesInfo? kubernetes = null;
        FileEventInfo? file = null;
        AuditInfo? audit = null;
        Dictionary<string, string>? arguments = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool read = reader.ValueTextEquals("time"u8) ? time is null && Time(ref reader, out time)
                : reader.ValueTextEquals("source"u8) ? source is null && Text(ref reader, out source)
                : reader.ValueTextEquals("name"u8) ? name is null && Text(ref reader, out name)
                : reader.ValueTextEquals("origin"u8) ? origin is null && Origin(ref reader, out origin)
                : reader.ValueTextEquals("hostName"u8) ? hostName is null && Text(ref reader, out hostName)
                : reader.ValueTextEquals("process"u8) ? process is null && Process(ref reader, out process)
                : reader.ValueTextEquals("container"u8) ? container is null && Container(ref reader, out container)
                : reader.ValueTextEquals("kubernetes"u8) ? kubernetes is null && Kubernetes(ref reader, out kubernetes)
                : reader.ValueTextEquals("file"u8) ? file is null && File(ref reader, out file)
                : reader.ValueTextEquals("audit"u8) ? audit is null && Audit(ref reader, out audit)
                : reader.ValueTextEquals("args"u8) && arguments is null && Arguments(ref reader, out arguments);
            if (!read)
            {
                return null;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || time is null || source is null || name is null)
        {
            return null;
        }

        var securityEvent = new SecurityEvent
        {
            Time = time.Value,
            Source = source,
            Name = name,
            Origin = origin ?? EventOrigin.Host,
            HostName = hostName,
            Process = process,
            Container = container,
            Kubernetes = kubernetes,
            File = file,
            Audit = audit,
        };
        return arguments is null ? securityEvent : securityEvent with { Arguments = arguments };
    }

    private static bool Process(ref Utf8JsonReader reader, out ProcessInfo? process)
    {
        process = null;
        int? pid = null, hostPid = null, parentPid = null;
        ulong? entityId = null;
        string? name = null, executable = null, tty = null;
        List<string>? args = null;
        uint? uid = null;
        bool? interactive = null;
        if (!Object(ref reader))
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool read = reader.ValueTextEquals("pid"u8) ? pid is null && Int(ref reader, out pid)
                : reader.ValueTextEquals("hostPid"u8) ? hostPid is null && Int(ref reader, out hostPid)
                : reader.ValueTextEquals("parentPid"u8) ? parentPid is null && Int(ref reader, out parentPid)
                : reader.ValueTextEquals("entityId"u8) ? entityId is null && ULong(ref reader, out entityId)
                : reader.ValueTextEquals("name"u8) ? name is null && Text(ref reader, out name)
                : reader.ValueTextEquals("executable"u8) ? executable is null && Text(ref reader, out executable)
                : reader.ValueTextEquals("args"u8) ? args is null && Texts(ref reader, out args)
                : reader.ValueTextEquals("uid"u8) ? uid is null && UInt(ref reader, out uid)
                : reader.ValueTextEquals("interactive"u8) ? interactive is null && Bool(ref reader, out interactive)
                : reader.ValueTextEquals("tty"u8) && tty is null && Text(ref reader, out tty);
            if (!read)
            {
                return false;
            }
        }

        process = new ProcessInfo { Pid = pid, HostPid = hostPid, ParentPid = parentPid, EntityId = entityId, Name = name, Executable = executable, Args = args, Uid = uid, Interactive = interactive, Tty = tty };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool Container(ref Utf8JsonReader reader, out ContainerInfo? container)
    {
        container = null;
        string? id = null, name = null, image = null;
        if (!Object(ref reader))
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool read = reader.ValueTextEquals("id"u8) ? id is null && Text(ref reader, out id)
                : reader.ValueTextEquals("name"u8) ? name is null && Text(ref reader, out name)
                : reader.ValueTextEquals("image"u8) && image is null && Text(ref reader, out image);
            if (!read)
            {
                return false;
            }
        }

        container = new ContainerInfo { Id = id, Name = name, Image = image };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool Kubernetes(ref Utf8JsonReader reader, out KubernetesInfo? kubernetes)
    {
        kubernetes = null;
        string? pod = null, ns = null, uid = null;
        if (!Object(ref reader))
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool read = reader.ValueTextEquals("podName"u8) ? pod is null && Text(ref reader, out pod)
                : reader.ValueTextEquals("namespace"u8) ? ns is null && Text(ref reader, out ns)
                : reader.ValueTextEquals("podUid"u8) && uid is null && Text(ref reader, out uid);
            if (!read)
            {
                return false;
            }
        }

        kubernetes = new KubernetesInfo { PodName = pod, Namespace = ns, PodUid = uid };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool File(ref Utf8JsonReader reader, out FileEventInfo? file)
    {
        file = null;
        string? path = null, oldPath = null, newPath = null;
        int? flags = null;
        if (!Object(ref reader))
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool read = reader.ValueTextEquals("path"u8) ? path is null && Text(ref reader, out path)
                : reader.ValueTextEquals("flags"u8) ? flags is null && Int(ref reader, out flags)
                : reader.ValueTextEquals("oldPath"u8) ? oldPath is null && Text(ref reader, out oldPath)
                : reader.ValueTextEquals("newPath"u8) && newPath is null && Text(ref reader, out newPath);
            if (!read)
            {
                return false;
            }
        }

        file = new FileEventInfo { Path = path, Flags = flags, OldPath = oldPath, NewPath = newPath };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool Audit(ref Utf8JsonReader reader, out AuditInfo? audit)
    {
        audit = null;
        string? stage = null, verb = null, user = null, uri = null;
        List<string>? pods = null;
        int? code = null;
        if (!Object(ref reader))
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool read = reader.ValueTextEquals("stage"u8) ? stage is null && Text(ref reader, out stage)
                : reader.ValueTextEquals("verb"u8) ? verb is null && Text(ref reader, out verb)
                : reader.ValueTextEquals("user"u8) ? user is null && Text(ref reader, out user)
                : reader.ValueTextEquals("requestingPods"u8) ? pods is null && Texts(ref reader, out pods)
                : reader.ValueTextEquals("requestUri"u8) ? uri is null && Text(ref reader, out uri)
                : reader.ValueTextEquals("responseCode"u8) && code is null && Int(ref reader, out code);
            if (!read)
            {
                return false;
            }
        }

        audit = new AuditInfo { Stage = stage, Verb = verb, User = user, RequestingPods = pods, RequestUri = uri, ResponseCode = code };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool Arguments(ref Utf8JsonReader reader, out Dictionary<string, string>? arguments)
    {
        arguments = null;
        if (!Object(ref reader))
        {
            return false;
        }

        var read = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (Valid(in reader) is not { } key || !Text(ref reader, out string? value) || !read.TryAdd(key, value!))
            {
                return false;
            }
        }

        arguments = read;
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool Object(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.StartObject;

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
