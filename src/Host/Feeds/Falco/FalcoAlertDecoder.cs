using System.Text.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Falco;

/// <summary>
/// Decodes a Falco JSON alert (a <c>json_output: true</c> line or an <c>http_output</c> POST body). Events are
/// mapped by the Falco field names in <c>output_fields</c>, whatever the rule is called.
/// </summary>
internal static class FalcoAlertDecoder
{
    public static bool IsAlert(JsonElement root) =>
        root.TryGetProperty("output_fields", out _) && (root.TryGetProperty("rule", out _) || root.TryGetProperty("priority", out _));

    /// <summary>Falco's <c>evt.type</c> values mapped to the contract's event names.</summary>
    public static string? EventName(string? eventType) => eventType switch
    {
        "open" or "openat" or "openat2" or "creat" or "open_by_handle_at" => EventNames.FileOpen,
        "rename" or "renameat" or "renameat2" => EventNames.FileRename,
        "execve" or "execveat" => EventNames.ProcessExec,
        "procexit" => EventNames.ProcessExit,
        _ => null,
    };

    public static SecurityEvent Decode(JsonElement root)
    {
        JsonElement fields = JsonFields.Object(root, "output_fields") ?? throw new EventDecodeException("field 'output_fields' is missing");
        string? eventType = JsonFields.String(fields, "evt.type");
        string name = EventName(eventType) ?? throw new EventDecodeException(eventType is null
            ? "output_fields has no 'evt.type'; add %evt.type to the rule's output"
            : $"evt.type '{eventType}' has no contract event (supported: open, openat, openat2, creat, rename, renameat, renameat2, execve, execveat, procexit)");

        DateTimeOffset time = root.TryGetProperty("time", out JsonElement t) ? JsonFields.Timestamp(t, "time")
            : fields.TryGetProperty("evt.time", out JsonElement et) ? JsonFields.Timestamp(et, "evt.time")
            : throw new EventDecodeException("neither 'time' nor output_fields 'evt.time' is present");

        string? containerId = JsonFields.NonEmpty(JsonFields.String(fields, "container.id"));
        bool inContainer = containerId is not null && containerId != "host";
        long? tty = JsonFields.Integer(fields, "proc.tty");
        long? hostPid = JsonFields.Integer(fields, "proc.pid");

        return new SecurityEvent
        {
            Time = time,
            Source = EventSources.Falco,
            Name = name,
            Origin = inContainer ? EventOrigin.Container : EventOrigin.Host,
            HostName = JsonFields.String(root, "hostname"),
            Process = new ProcessInfo
            {
                HostPid = JsonFields.Narrow(hostPid, "proc.pid"),
                Pid = JsonFields.Narrow(JsonFields.Integer(fields, "proc.vpid") ?? hostPid, "proc.vpid"),
                ParentPid = JsonFields.Int32(fields, "proc.ppid"),
                Name = JsonFields.String(fields, "proc.name"),
                Executable = JsonFields.String(fields, "proc.exepath") ?? JsonFields.String(fields, "proc.exe"),
                Args = Argv(fields),
                Uid = JsonFields.UInt32(JsonFields.Integer(fields, "user.uid"), "user.uid"),
                Interactive = tty is null ? null : tty != 0,
                Tty = tty is null or 0 ? null : tty.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            Container = inContainer ? new ContainerInfo
            {
                Id = containerId,
                Name = JsonFields.String(fields, "container.name"),
                Image = Image(fields),
            } : null,
            Kubernetes = Kubernetes(fields),
            File = File(name, fields),
            Arguments = Arguments(fields),
        };
    }

    /// <summary>
    /// Falco reports argv as text joined by spaces, so the split is best effort: <c>proc.exeline</c> (argv[0]
    /// first) when present, else <c>proc.exe</c> plus <c>proc.args</c>, else <c>proc.cmdline</c>.
    /// </summary>
    private static IReadOnlyList<string>? Argv(JsonElement fields)
    {
        string? exeline = JsonFields.String(fields, "proc.exeline");
        if (exeline is not null)
        {
            return Split(exeline);
        }

        string? exe = JsonFields.String(fields, "proc.exe");
        string? args = JsonFields.String(fields, "proc.args");
        if (exe is not null)
        {
            return [exe, .. Split(args ?? string.Empty)];
        }

        string? cmdline = JsonFields.String(fields, "proc.cmdline");
        return cmdline is null ? null : Split(cmdline);
    }

    private static string[] Split(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string? Image(JsonElement fields)
    {
        string? repository = JsonFields.NonEmpty(JsonFields.String(fields, "container.image.repository"));
        string? tag = JsonFields.NonEmpty(JsonFields.String(fields, "container.image.tag"));
        return repository is null ? JsonFields.NonEmpty(JsonFields.String(fields, "container.image"))
            : tag is null ? repository : $"{repository}:{tag}";
    }

    private static KubernetesInfo? Kubernetes(JsonElement fields)
    {
        string? pod = JsonFields.NonEmpty(JsonFields.String(fields, "k8s.pod.name"));
        string? ns = JsonFields.NonEmpty(JsonFields.String(fields, "k8s.ns.name"));
        string? uid = JsonFields.NonEmpty(JsonFields.String(fields, "k8s.pod.uid"));
        return pod is null && ns is null && uid is null ? null : new KubernetesInfo { PodName = pod, Namespace = ns, PodUid = uid };
    }

    private static FileEventInfo? File(string name, JsonElement fields)
    {
        switch (name)
        {
            case EventNames.FileOpen:
                string? flags = JsonFields.String(fields, "evt.arg.flags") ?? JsonFields.String(fields, "evt.rawarg.flags");
                return new FileEventInfo
                {
                    Path = JsonFields.String(fields, "fd.name") ?? JsonFields.String(fields, "evt.arg.name"),
                    Flags = flags is null ? null : OpenFlagsText.Parse(flags, "evt.arg.flags"),
                };
            case EventNames.FileRename:
                string? oldPath = JsonFields.String(fields, "fs.path.source") ?? JsonFields.String(fields, "evt.arg.oldpath");
                string? newPath = JsonFields.String(fields, "fs.path.target") ?? JsonFields.String(fields, "evt.arg.newpath");
                return new FileEventInfo { OldPath = oldPath, NewPath = newPath, Path = newPath };
            default:
                return null;
        }
    }

    private static Dictionary<string, string> Arguments(JsonElement fields)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty field in fields.EnumerateObject())
        {
            args[field.Name] = JsonFields.Text(field.Value);
        }

        return args;
    }
}
