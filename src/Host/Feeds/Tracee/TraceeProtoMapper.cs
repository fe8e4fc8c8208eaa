using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Collections;
using Sigs.Host.Feeds.Json;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>Reads a Tracee <c>v1beta1.Event</c> protobuf message into <see cref="TraceeEventParts"/>, the one mapping its JSON forms share.</summary>
internal static class TraceeProtoMapper
{
    public static SecurityEvent Map(Event source)
    {
        if (string.IsNullOrEmpty(source.Name))
        {
            throw new EventDecodeException("event has no name");
        }

        var values = new Dictionary<string, TraceeValue>(StringComparer.Ordinal);
        foreach (EventValue value in source.Data)
        {
            if (TraceeArguments.IsInterpreted(value.Name))
            {
                values[value.Name] = TraceeValue.FromProto(value);
            }
        }

        Workload? workload = source.Workload;
        return new TraceeEventParts
        {
            Name = source.Name,
            Time = source.Timestamp is { } timestamp ? ProtoTimestamps.ToDateTimeOffset(timestamp, "timestamp") : throw new EventDecodeException($"{source.Name} event has no timestamp"),
            Process = Process(workload?.Process),
            ContainerId = workload?.Container?.Id,
            ContainerName = workload?.Container?.Name,
            ContainerImage = workload?.Container?.Image?.Name,
            PodName = workload?.K8S?.Pod?.Name,
            Namespace = workload?.K8S?.Namespace?.Name,
            PodUid = workload?.K8S?.Pod?.Uid,
            Arguments = source.Data.Count == 0 ? TraceeJsonArguments.None : new LazyArguments<RepeatedField<EventValue>>(source.Data, Texts),
            Values = values,
        }.ToContract();
    }

    private static ProcessInfo Process(Proto.Process? process) => process is null ? new ProcessInfo() : new ProcessInfo
    {
        Pid = Signed(process.Pid),
        HostPid = Signed(process.HostPid),
        ParentPid = process.Ancestors.Count > 0 ? Signed(process.Ancestors[0].HostPid) : null,
        EntityId = process.UniqueId,
        Name = JsonFields.NonEmpty(process.Thread?.Name),
        Executable = JsonFields.NonEmpty(process.Executable?.Path),
        Uid = process.RealUser?.Id,
        ParentExecutable = process.Ancestors.Count > 0 ? JsonFields.NonEmpty(process.Ancestors[0].Executable?.Path) : null,
    };

    /// <summary>Every argument as text, made when the event's argument map is first read (the message is immutable once received).</summary>
    private static Dictionary<string, string> Texts(RepeatedField<EventValue> data)
    {
        var args = new Dictionary<string, string>(data.Count, StringComparer.Ordinal);
        foreach (EventValue value in data)
        {
            args[value.Name] = Text(value);
        }

        return args;
    }

    private static int? Signed(uint? value) => value is null ? null : unchecked((int)value.Value);

    private static string Text(EventValue value) => value.ValueCase switch
    {
        EventValue.ValueOneofCase.Str => value.Str,
        EventValue.ValueOneofCase.Int32 => value.Int32.ToString(CultureInfo.InvariantCulture),
        EventValue.ValueOneofCase.Int64 => value.Int64.ToString(CultureInfo.InvariantCulture),
        EventValue.ValueOneofCase.UInt32 => value.UInt32.ToString(CultureInfo.InvariantCulture),
        EventValue.ValueOneofCase.UInt64 => value.UInt64.ToString(CultureInfo.InvariantCulture),
        EventValue.ValueOneofCase.Bool => value.Bool ? "true" : "false",
        EventValue.ValueOneofCase.Bytes => Convert.ToBase64String(value.Bytes.Span),
        EventValue.ValueOneofCase.StrArray => JsonSerializer.Serialize(value.StrArray.Value),
        EventValue.ValueOneofCase.Int32Array => Join(value.Int32Array.Value),
        EventValue.ValueOneofCase.UInt64Array => Join(value.UInt64Array.Value),
        _ => string.Empty,
    };

    private static string Join<T>(RepeatedField<T> values) => $"[{string.Join(',', values)}]";
}
