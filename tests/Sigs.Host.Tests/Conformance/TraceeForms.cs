using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sigs.Host.Feeds.Tracee.Proto;

namespace Sigs.Host.Tests.Conformance;

/// <summary>How Tracee writes an argument: its Go type decides the gRPC <c>EventValue</c> member (upstream <c>pkg/server/grpc/event_data.go</c>).</summary>
public enum TraceeArgType
{
    /// <summary><c>const char*</c>: a string, the same raw and parsed.</summary>
    Str,

    /// <summary><c>const char**</c>: a list of strings.</summary>
    StrArray,

    /// <summary><c>int</c> (int32), e.g. open flags: a number raw, names once parsed.</summary>
    Int32,

    /// <summary><c>uint16</c>, e.g. <c>stdin_type</c>'s inode mode: <c>u_int32</c> in gRPC, names once parsed.</summary>
    UInt16,

    /// <summary><c>long</c> (int64), e.g. <c>exit_code</c>: a string in protojson.</summary>
    Int64,
}

/// <summary>One argument: its raw value and, for the types Tracee parses, the text <c>parse-arguments</c> makes of it.</summary>
public sealed record TraceeArg(string Name, TraceeArgType Type, object Raw, string? Parsed = null)
{
    public object Value(bool parsed) => parsed && Parsed is not null ? Parsed : Raw;
}

/// <summary>One Tracee event before it takes a form.</summary>
public sealed record TraceeCall(string Name, int Second, uint HostPid, string Comm, string Executable, string? ContainerId, string? PodName, TraceeArg[] Args)
{
    public static readonly DateTimeOffset T0 = new(2025, 11, 2, 10, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Time => T0.AddSeconds(Second);

    public uint EntityId => 90_000 + HostPid;
}

/// <summary>Every wire form in which Sigs accepts a Tracee event.</summary>
public enum TraceeForm
{
    /// <summary><c>tracee -o json</c> of v0.24 and earlier: <c>eventName</c>, <c>args</c> with Go type names.</summary>
    LegacyJson,

    /// <summary>Tracee's own v1beta1 JSON: snake_case, <c>data</c> entries with a plain <c>value</c>.</summary>
    V1Beta1Json,

    /// <summary>Generic protojson of <c>v1beta1.Event</c>: camelCase, oneof members, 64-bit integers as strings.</summary>
    ProtoJsonCamelCase,

    /// <summary>Protojson with the proto field names (snake_case).</summary>
    ProtoJsonSnakeCase,

    /// <summary>The <c>StreamEvents</c> gRPC stream.</summary>
    Grpc,
}

/// <summary>Renders a <see cref="TraceeCall"/> in each form, raw (Tracee's default) or parsed.</summary>
public static class TraceeForms
{
    private static readonly JsonFormatter CamelCase = new(JsonFormatter.Settings.Default);
    private static readonly JsonFormatter SnakeCase = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    public static string Json(TraceeCall call, TraceeForm form, bool parsed) => form switch
    {
        TraceeForm.LegacyJson => Legacy(call, parsed),
        TraceeForm.V1Beta1Json => V1Beta1(call, parsed),
        TraceeForm.ProtoJsonCamelCase => CamelCase.Format(Proto(call, parsed)),
        TraceeForm.ProtoJsonSnakeCase => SnakeCase.Format(Proto(call, parsed)),
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, "not a JSON form"),
    };

    internal static Event Proto(TraceeCall call, bool parsed)
    {
        var e = new Event
        {
            Timestamp = Timestamp.FromDateTimeOffset(call.Time),
            Name = call.Name,
            Workload = new Workload
            {
                Process = new Process
                {
                    HostPid = call.HostPid,
                    Pid = call.HostPid,
                    UniqueId = call.EntityId,
                    Executable = new Executable { Path = call.Executable },
                    Thread = new Sigs.Host.Feeds.Tracee.Proto.Thread { Name = call.Comm },
                },
            },
        };
        if (call.ContainerId is { } id)
        {
            e.Workload.Container = new Container { Id = id };
        }

        if (call.PodName is { } pod)
        {
            e.Workload.K8S = new K8s { Pod = new Pod { Name = pod }, Namespace = new K8sNamespace { Name = "shop" } };
        }

        foreach (TraceeArg arg in call.Args)
        {
            var value = new EventValue { Name = arg.Name };
            object v = arg.Value(parsed);
            switch (v)
            {
                case string text:
                    value.Str = text;
                    break;
                case string[] strings:
                    value.StrArray = new StringArray { Value = { strings } };
                    break;
                case int number when arg.Type == TraceeArgType.Int32:
                    value.Int32 = number;
                    break;
                case int number when arg.Type == TraceeArgType.UInt16:
                    value.UInt32 = (uint)number;
                    break;
                case int number:
                    value.Int64 = number;
                    break;
            }

            e.Data.Add(value);
        }

        return e;
    }

    private static string Legacy(TraceeCall call, bool parsed)
    {
        var root = new JsonObject
        {
            ["timestamp"] = (call.Time - DateTimeOffset.UnixEpoch).Ticks * 100,
            ["eventName"] = call.Name,
            ["processName"] = call.Comm,
            ["processId"] = call.HostPid,
            ["hostProcessId"] = call.HostPid,
            ["processEntityId"] = call.EntityId,
            ["executable"] = new JsonObject { ["path"] = call.Executable },
            ["containerId"] = call.ContainerId ?? string.Empty,
            ["args"] = new JsonArray([.. call.Args.Select(arg => (JsonNode)new JsonObject
            {
                ["name"] = arg.Name,
                ["type"] = GoType(arg, parsed),
                ["value"] = Node(arg.Value(parsed)),
            })]),
        };
        if (call.PodName is { } pod)
        {
            root["kubernetes"] = new JsonObject { ["podName"] = pod, ["podNamespace"] = "shop" };
        }

        return root.ToJsonString();
    }

    private static string V1Beta1(TraceeCall call, bool parsed)
    {
        var workload = new JsonObject
        {
            ["process"] = new JsonObject
            {
                ["executable"] = new JsonObject { ["path"] = call.Executable },
                ["unique_id"] = call.EntityId,
                ["host_pid"] = call.HostPid,
                ["pid"] = call.HostPid,
                ["thread"] = new JsonObject { ["name"] = call.Comm },
            },
        };
        if (call.ContainerId is { } id)
        {
            workload["container"] = new JsonObject { ["id"] = id };
        }

        if (call.PodName is { } pod)
        {
            workload["k8s"] = new JsonObject { ["pod"] = new JsonObject { ["name"] = pod }, ["namespace"] = new JsonObject { ["name"] = "shop" } };
        }

        return new JsonObject
        {
            ["timestamp"] = call.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["name"] = call.Name,
            ["workload"] = workload,
            ["data"] = new JsonArray([.. call.Args.Select(arg => (JsonNode)new JsonObject { ["name"] = arg.Name, ["value"] = Node(arg.Value(parsed)) })]),
        }.ToJsonString();
    }

    private static string GoType(TraceeArg arg, bool parsed) => arg.Type switch
    {
        TraceeArgType.Str => "const char*",
        TraceeArgType.StrArray => "const char**",
        _ when parsed && arg.Parsed is not null => "string",
        TraceeArgType.Int32 => "int",
        TraceeArgType.UInt16 => "uint16",
        _ => "long",
    };

    private static JsonNode? Node(object value) => value switch
    {
        string[] strings => new JsonArray([.. strings.Select(s => (JsonNode)JsonValue.Create(s))]),
        _ => JsonSerializer.SerializeToNode(value),
    };
}
