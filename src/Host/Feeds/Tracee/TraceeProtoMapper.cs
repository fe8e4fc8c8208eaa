using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Collections;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>Maps a Tracee <c>v1beta1.Event</c> protobuf message to the contract (the same mapping as its JSON form).</summary>
internal static class TraceeProtoMapper
{
    public static SecurityEvent Map(Event source)
    {
        if (string.IsNullOrEmpty(source.Name))
        {
            throw new EventDecodeException("event has no name");
        }

        var args = new Dictionary<string, string>(source.Data.Count, StringComparer.Ordinal);
        var values = new Dictionary<string, TraceeValue>(StringComparer.Ordinal);
        foreach (EventValue value in source.Data)
        {
            args[value.Name] = Text(value);
            if (TraceeArguments.IsInterpreted(value.Name))
            {
                values[value.Name] = TraceeValue.FromProto(value);
            }
        }

        Workload? workload = source.Workload;
        string? containerId = JsonFields.NonEmpty(workload?.Container?.Id);
        ProcessInfo process = Process(workload?.Process);
        if (source.Name == EventNames.ProcessExec)
        {
            process = TraceeArguments.WithExecFacts(process, values);
        }

        Pod? pod = workload?.K8S?.Pod;
        string? podName = JsonFields.NonEmpty(pod?.Name);
        string? ns = JsonFields.NonEmpty(workload?.K8S?.Namespace?.Name);
        string? podUid = JsonFields.NonEmpty(pod?.Uid);
        return new SecurityEvent
        {
            Time = source.Timestamp is { } timestamp ? ProtoTimestamps.ToDateTimeOffset(timestamp, "timestamp") : throw new EventDecodeException($"{source.Name} event has no timestamp"),
            Source = EventSources.Tracee,
            Name = source.Name,
            Origin = containerId is null ? EventOrigin.Host : EventOrigin.Container,
            Process = process,
            Container = containerId is null ? null : new ContainerInfo
            {
                Id = containerId,
                Name = JsonFields.NonEmpty(workload!.Container!.Name),
                Image = JsonFields.NonEmpty(workload.Container.Image?.Name),
            },
            Kubernetes = podName is null && ns is null && podUid is null ? null : new KubernetesInfo { PodName = podName, Namespace = ns, PodUid = podUid },
            File = TraceeArguments.File(source.Name, values),
            Arguments = args,
        };
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
    };

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
