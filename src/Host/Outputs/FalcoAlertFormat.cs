using System.Globalization;
using System.Text.Json;
using Sigs.Host.Engine;
using Sigs.Plugins;

namespace Sigs.Host.Outputs;

/// <summary>
/// A finding in the shape of a Falco alert (<c>time</c>, <c>rule</c>, <c>priority</c>, <c>output</c>,
/// <c>output_fields</c>, <c>source</c>, <c>tags</c>, <c>hostname</c>), so Falcosidekick forwards it unchanged.
/// Event facts use Falco's field names; Sigs-specific ones are under <c>sigs.</c>.
/// </summary>
internal static class FalcoAlertFormat
{
    public static byte[] Serialize(Finding finding)
    {
        SignatureMetadata signature = finding.Signature;
        SecurityEvent e = finding.Event;
        var fields = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["evt.time"] = (finding.Time - DateTimeOffset.UnixEpoch).Ticks * 100,
            ["evt.type"] = e.Name,
            ["sigs.signature.id"] = signature.Id,
            ["sigs.signature.version"] = signature.Version,
            ["sigs.event.source"] = e.Source,
            ["sigs.severity"] = SeverityMapping.EcsSeverity(signature.Severity),
        };
        Add(fields, "proc.name", e.Process?.Name);
        Add(fields, "proc.pid", e.Process?.HostPid);
        Add(fields, "proc.vpid", e.Process?.Pid);
        Add(fields, "proc.ppid", e.Process?.ParentPid);
        Add(fields, "proc.exepath", e.Process?.Executable);
        Add(fields, "proc.cmdline", e.Process?.Args is { } args ? string.Join(' ', args) : null);
        Add(fields, "user.uid", e.Process?.Uid);
        Add(fields, "fd.name", e.File?.Path);
        Add(fields, "fs.path.source", e.File?.OldPath);
        Add(fields, "fs.path.target", e.File?.NewPath);
        Add(fields, "container.id", e.Container?.Id ?? (e.Origin == EventOrigin.Host ? "host" : null));
        Add(fields, "container.name", e.Container?.Name);
        Add(fields, "container.image.repository", e.Container?.Image);
        Add(fields, "k8s.pod.name", e.Kubernetes?.PodName);
        Add(fields, "k8s.ns.name", e.Kubernetes?.Namespace);
        foreach ((string key, object? value) in finding.Data)
        {
            fields[$"sigs.data.{key}"] = value is SecurityEvent nested ? JsonSerializer.Serialize(nested, Contract.ContractJson.Options) : value;
        }

        string output = $"{signature.Name} ({string.Join(' ', fields.Where(f => !f.Key.StartsWith("sigs.", StringComparison.Ordinal) && f.Key != "evt.time").Select(f => $"{f.Key}={Convert.ToString(f.Value, CultureInfo.InvariantCulture)}"))})";
        var alert = new Dictionary<string, object?>
        {
            ["uuid"] = FindingId.Of(finding).ToString(),
            ["time"] = finding.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["rule"] = signature.Name,
            ["priority"] = SeverityMapping.FalcoPriority(signature.Severity),
            ["output"] = output,
            ["output_fields"] = fields,
            ["source"] = "sigs",
            ["tags"] = (string[])[.. signature.Tags, .. signature.Tactics, .. signature.Techniques, signature.Id],
            ["hostname"] = e.HostName ?? Environment.MachineName,
        };
        return JsonSerializer.SerializeToUtf8Bytes(alert, Contract.ContractJson.Options);
    }

    private static void Add(SortedDictionary<string, object?> fields, string name, object? value)
    {
        if (value is not null)
        {
            fields[name] = value;
        }
    }
}
