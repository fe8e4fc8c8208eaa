using System.Globalization;
using System.Text.Json;
using Sigs.Host.Feeds.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Falco;

/// <summary>A Falco alert, whatever transport it came over: its time, host, rule, source (<c>syscall</c>, <c>k8s_audit</c>, ...; null when not sent) and output fields as text.</summary>
internal sealed record FalcoAlert(DateTimeOffset? Time, string? Hostname, string? Rule, IReadOnlyDictionary<string, string> Fields, string? Source = null);

/// <summary>
/// Decodes Falco alerts (a <c>json_output: true</c> line, an <c>http_output</c> POST body, or a gRPC output
/// response) and maps them to the contract by the Falco field names in <c>output_fields</c>, whatever the rule
/// is called.
/// </summary>
internal static class FalcoAlertDecoder
{
    /// <summary>What Falco prints for a field it cannot resolve.</summary>
    public const string NotAvailable = "<NA>";

    /// <summary>The Falco source of the drivers' system call events.</summary>
    private const string SyscallSource = "syscall";

    /// <summary>
    /// The output fields a Falco rule must print for the mapper to fill every contract part the shipped
    /// signatures use, by contract event name. <c>deploy/falco/sigs-rules.yaml</c> is tested against this.
    /// </summary>
    public static IReadOnlyList<string> RequiredFields(string eventName)
    {
        string[] common =
        [
            "evt.type", "evt.time", "proc.pid", "proc.vpid", "proc.ppid", "proc.name", "proc.exepath", "proc.tty", "user.uid",
            "container.id", "container.name", "container.image.repository", "k8s.pod.name", "k8s.ns.name",
        ];
        return eventName switch
        {
            EventNames.FileOpen => [.. common, "fd.name", "evt.arg.flags"],
            EventNames.FileRename => [.. common, "fs.path.source", "fs.path.target"],
            EventNames.ProcessExec => [.. common, "proc.exe", "proc.args", "proc.cmdline"],
            _ => common,
        };
    }

    /// <summary>Falco's <c>evt.type</c> values mapped to the contract's event names.</summary>
    public static string? EventName(string? eventType) => eventType switch
    {
        "open" or "openat" or "openat2" or "creat" or "open_by_handle_at" => EventNames.FileOpen,
        "rename" or "renameat" or "renameat2" => EventNames.FileRename,
        "execve" or "execveat" => EventNames.ProcessExec,
        "procexit" => EventNames.ProcessExit,
        _ => null,
    };

    private static readonly PropertyNames<AlertField> Fields = FormatDetection.TopLevelNames(
        ("output_fields", AlertField.OutputFields), ("time", AlertField.Time), ("hostname", AlertField.Hostname), ("rule", AlertField.Rule), ("source", AlertField.Source));

    private enum AlertField
    {
        Other, OutputFields, Time, Hostname, Rule, Source,
    }

    /// <summary>The alert in one pass over its bytes, or null when <paramref name="keys"/> say the document is in another format.</summary>
    /// <summary>As <see cref="Decode(ReadOnlySpan{byte}, out FormatKeys)"/>, the alert added to <paramref name="decoded"/>.</summary>
    public static bool Decode(ReadOnlySpan<byte> json, DecodedInput decoded, out FormatKeys keys) => decoded.AddOne(Decode(json, out keys));

    public static SecurityEvent? Decode(ReadOnlySpan<byte> json, out FormatKeys keys)
    {
        var reader = new Utf8JsonReader(json, JsonValueReader.Options);
        keys = FormatKeys.None;
        Dictionary<string, string>? text = null;
        DateTimeOffset? time = null;
        string? hostname = null, rule = null, source = null;
        TopLevel.Start(ref reader);
        while (Fields.Next(ref reader, out AlertField field, out FormatKeys key))
        {
            keys |= key;
            switch (field)
            {
                case AlertField.OutputFields: text = OutputFields(ref reader, json); break;
                case AlertField.Time: time = JsonValueReader.Timestamp(ref reader, "time"); break;
                case AlertField.Hostname: hostname = JsonValueReader.String(ref reader, "hostname"); break;
                case AlertField.Rule: rule = JsonValueReader.String(ref reader, "rule"); break;
                case AlertField.Source: source = JsonValueReader.String(ref reader, "source"); break;
                default: reader.Skip(); break;
            }
        }

        TopLevel.End(ref reader);
        return FormatDetection.Detect(keys) != InputFormat.FalcoAlert ? null
            : Map(new FalcoAlert(time, hostname, rule, text ?? throw new EventDecodeException("field 'output_fields' is missing"), source));
    }

    /// <summary><c>output_fields</c> as text; a null field is left out (unknown).</summary>
    private static Dictionary<string, string>? OutputFields(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (!JsonValueReader.Object(ref reader, "output_fields"))
        {
            return null;
        }

        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = RecentStrings.Get(in reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.Null)
            {
                text[name] = JsonValueReader.Text(ref reader, json);
            }
        }

        return text;
    }

    /// <summary>
    /// The alert as a contract event: a system call by its <c>evt.type</c>, a k8saudit plugin's alert as a
    /// <c>k8s_audit</c> event (<see cref="FalcoAuditAlert"/>); other sources have no contract event.
    /// </summary>
    public static SecurityEvent Map(FalcoAlert alert)
    {
        IReadOnlyDictionary<string, string> fields = alert.Fields;
        if (IsAudit(alert))
        {
            return FalcoAuditAlert.Map(alert, name => Field(fields, name));
        }

        if (alert.Source is { Length: > 0 } source && source != SyscallSource)
        {
            throw new EventDecodeException($"a Falco alert of source '{source}' has no contract event (Sigs maps the sources {SyscallSource} and {FalcoAuditAlert.Source})");
        }

        string? eventType = Field(fields, "evt.type");
        string name = EventName(eventType) ?? throw new EventDecodeException(eventType is null
            ? "output_fields has no 'evt.type'; add %evt.type to the rule's output"
            : $"evt.type '{eventType}' has no contract event (supported: open, openat, openat2, creat, rename, renameat, renameat2, execve, execveat, procexit)");

        DateTimeOffset time = alert.Time
            ?? (Integer(fields, "evt.time") is long nanoseconds ? JsonFields.FromUnixNanoseconds(nanoseconds) : (DateTimeOffset?)null)
            ?? throw new EventDecodeException("neither 'time' nor output_fields 'evt.time' is present");

        string? containerId = Field(fields, "container.id");
        bool inContainer = containerId is not null && containerId != "host";
        long? tty = Integer(fields, "proc.tty");
        long? hostPid = Integer(fields, "proc.pid");

        return new SecurityEvent
        {
            Time = time,
            Source = EventSources.Falco,
            Name = name,
            Origin = inContainer ? EventOrigin.Container : EventOrigin.Host,
            HostName = alert.Hostname,
            Process = new ProcessInfo
            {
                HostPid = JsonFields.Narrow(hostPid, "proc.pid"),
                Pid = JsonFields.Narrow(Integer(fields, "proc.vpid") ?? hostPid, "proc.vpid"),
                ParentPid = JsonFields.Narrow(Integer(fields, "proc.ppid"), "proc.ppid"),
                Name = Field(fields, "proc.name"),
                Executable = Field(fields, "proc.exepath") ?? Field(fields, "proc.exe"),
                Args = Argv(fields),
                Uid = JsonFields.UInt32(Integer(fields, "user.uid"), "user.uid"),
                Interactive = tty is null ? null : tty != 0,
                Tty = tty is null or 0 ? null : tty.Value.ToString(CultureInfo.InvariantCulture),
                UserName = Field(fields, "user.name"),
                WorkingDirectory = Field(fields, "proc.cwd"),
                ParentExecutable = Field(fields, "proc.pexepath") ?? Field(fields, "proc.pexe"),
                ParentArgs = Field(fields, "proc.pcmdline") is { } parentLine ? Split(parentLine) : null,
            },
            Container = inContainer ? new ContainerInfo { Id = containerId, Name = Field(fields, "container.name"), Image = Image(fields) } : null,
            Kubernetes = Kubernetes(fields),
            File = File(name, fields),
            Arguments = fields,
        };
    }

    /// <summary>An alert of the k8saudit plugin: so its source says, or, when the source was not sent, its <c>ka.*</c> fields without <c>evt.type</c>.</summary>
    private static bool IsAudit(FalcoAlert alert) => alert.Source == FalcoAuditAlert.Source
        || (string.IsNullOrEmpty(alert.Source) && !alert.Fields.ContainsKey("evt.type") && alert.Fields.Keys.Any(k => k.StartsWith("ka.", StringComparison.Ordinal)));

    /// <summary>A field's text; missing, empty or Falco's <c>&lt;NA&gt;</c> is unknown.</summary>
    private static string? Field(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out string? value) && value.Length > 0 && value != NotAvailable ? value : null;

    /// <summary>An integer field (Falco's JSON writes numbers, a rule's text output strings); any other text is an unknown form.</summary>
    private static long? Integer(IReadOnlyDictionary<string, string> fields, string name) =>
        Field(fields, name) is not { } text ? null
        : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value
        : UnknownForm<long?>(name, text);

    private static T? UnknownForm<T>(string field, string text)
    {
        ArgumentForms.CountUnknown(EventSources.Falco, field, ArgumentForms.TextForm(text));
        return default;
    }

    /// <summary>
    /// Falco reports argv as text joined by spaces, so the split is best effort: <c>proc.exeline</c> (argv[0]
    /// first) when present, else argv[0] (<c>proc.exe</c>, or <c>proc.name</c>) plus <c>proc.args</c> (the arguments
    /// alone; present but empty for a command without arguments), else <c>proc.cmdline</c> (the name and the
    /// arguments), else <c>proc.exe</c> alone.
    /// </summary>
    private static string[]? Argv(IReadOnlyDictionary<string, string> fields)
    {
        if (Field(fields, "proc.exeline") is { } exeline)
        {
            return Split(exeline);
        }

        string? first = Field(fields, "proc.exe") ?? Field(fields, "proc.name");
        if (first is not null && fields.TryGetValue("proc.args", out string? args) && args != NotAvailable)
        {
            return [first, .. Split(args)];
        }

        if (Field(fields, "proc.cmdline") is { } cmdline)
        {
            return Split(cmdline);
        }

        return Field(fields, "proc.exe") is { } exe ? [exe] : null;
    }

    private static string[] Split(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string? Image(IReadOnlyDictionary<string, string> fields)
    {
        string? repository = Field(fields, "container.image.repository");
        string? tag = Field(fields, "container.image.tag");
        return repository is null ? Field(fields, "container.image") : tag is null ? repository : $"{repository}:{tag}";
    }

    private static KubernetesInfo? Kubernetes(IReadOnlyDictionary<string, string> fields)
    {
        string? pod = Field(fields, "k8s.pod.name");
        string? ns = Field(fields, "k8s.ns.name");
        string? uid = Field(fields, "k8s.pod.uid");
        return pod is null && ns is null && uid is null ? null : new KubernetesInfo { PodName = pod, Namespace = ns, PodUid = uid };
    }

    private static FileEventInfo? File(string name, IReadOnlyDictionary<string, string> fields)
    {
        switch (name)
        {
            case EventNames.FileOpen:
                string? flags = Field(fields, "evt.arg.flags") ?? Field(fields, "evt.rawarg.flags");
                return new FileEventInfo
                {
                    Path = Field(fields, "fd.name") ?? Field(fields, "evt.arg.name"),
                    Flags = flags is null ? null : OpenFlagsText.TryParse(flags) ?? UnknownForm<int?>("evt.arg.flags", flags),
                };
            case EventNames.FileRename:
                string? newPath = Field(fields, "fs.path.target") ?? Field(fields, "evt.arg.newpath");
                return new FileEventInfo { OldPath = Field(fields, "fs.path.source") ?? Field(fields, "evt.arg.oldpath"), NewPath = newPath, Path = newPath };
            default:
                return null;
        }
    }
}
