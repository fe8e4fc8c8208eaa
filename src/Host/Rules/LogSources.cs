using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>
/// A Sigma logsource as Sigs maps it: the events it selects, a further check on each (file_event: opened for
/// writing), and its taxonomy's field names read from the contract. Names the taxonomy has that the contract does not
/// fill yet are known, so a rule using one is refused saying so rather than never matching.
/// </summary>
internal sealed record LogSourceMapping(
    string Name,
    IReadOnlyList<EventSelector> Selectors,
    Func<SecurityEvent, bool>? Accepts,
    IReadOnlyDictionary<string, FieldReader> Fields,
    IReadOnlySet<string> NotYetInTheContract)
{
    /// <summary>The reader of a field: the taxonomy's name, else a contract path; null when neither.</summary>
    public FieldReader? Field(string name) => Fields.TryGetValue(name, out FieldReader? reader) ? reader : EventFields.Of(name);
}

/// <summary>The logsources Sigs maps to its contract (docs/rules.md has the table).</summary>
internal static class LogSources
{
    private static readonly FieldReader CommandLine = e => e.Process?.Args is { Count: > 0 } args ? string.Join(' ', args) : null;

    private static readonly LogSourceMapping ProcessCreation = new(
        "product: linux, category: process_creation",
        [new EventSelector(EventNames.ProcessExec)],
        null,
        new Dictionary<string, FieldReader>(StringComparer.Ordinal)
        {
            ["Image"] = e => e.Process?.Executable,
            ["CommandLine"] = CommandLine,
            ["ProcessId"] = e => (long?)e.Process?.Pid,
            ["ParentProcessId"] = e => (long?)e.Process?.ParentPid,
        },
        new HashSet<string>(["ParentImage", "ParentCommandLine", "User", "CurrentDirectory", "LogonId", "OriginalFileName"], StringComparer.Ordinal));

    private static readonly Dictionary<string, FieldReader> FileFields = new(StringComparer.Ordinal)
    {
        ["TargetFilename"] = e => e.File?.Path,
        ["Image"] = e => e.Process?.Executable,
        ["ProcessId"] = e => (long?)e.Process?.Pid,
    };

    private static readonly LogSourceMapping FileEvent = new(
        "product: linux, category: file_event",
        [new EventSelector(EventNames.FileOpen)],
        e => e.File?.Flags is int flags && ((flags & OpenFlags.AccessModeMask) is OpenFlags.WriteOnly or OpenFlags.ReadWrite || (flags & Created) != 0),
        FileFields,
        new HashSet<string>(["User", "CreationUtcTime"], StringComparer.Ordinal));

    private static readonly LogSourceMapping FileAccess = new(
        "product: linux, category: file_access",
        [new EventSelector(EventNames.FileOpen)],
        null,
        FileFields,
        new HashSet<string>(["User"], StringComparer.Ordinal));

    private static readonly LogSourceMapping KubernetesAudit = new(
        "product: kubernetes, service: audit",
        [new EventSelector(EventNames.KubernetesAudit)],
        null,
        new Dictionary<string, FieldReader>(StringComparer.Ordinal)
        {
            ["verb"] = e => e.Audit?.Verb,
            ["stage"] = e => e.Audit?.Stage,
            ["user.username"] = e => e.Audit?.User,
            ["requestURI"] = e => e.Audit?.RequestUri,
            ["responseStatus.code"] = e => (long?)e.Audit?.ResponseCode,
            ["user.extra.authentication.kubernetes.io/pod-name"] = e => e.Audit?.RequestingPods,
            ["user.extra.authentication.kubernetes.io/node-name"] = e => e.Audit?.RequestingNodes,
        },
        new HashSet<string>(
            ["objectRef.resource", "objectRef.subresource", "objectRef.namespace", "objectRef.name", "objectRef.apiGroup", "user.groups", "sourceIPs", "userAgent", "requestObject", "responseObject", "impersonatedUser.username"],
            StringComparer.Ordinal));

    /// <summary>O_CREAT on Linux (x86-64 and arm64).</summary>
    private const int Created = 0x40;

    public static IReadOnlyList<LogSourceMapping> All { get; } = [ProcessCreation, FileEvent, FileAccess, KubernetesAudit];

    /// <summary>The mapping of a logsource; throws <see cref="FormatException"/> naming the ones Sigs maps when there is none.</summary>
    public static LogSourceMapping Of(SigmaLogSource source) => source switch
    {
        { Product: "linux", Category: "process_creation" } => ProcessCreation,
        { Product: "linux", Category: "file_event" } => FileEvent,
        { Product: "linux", Category: "file_access" } => FileAccess,
        { Product: "kubernetes", Service: "audit", Category: null or "application" } => KubernetesAudit,
        _ => throw new FormatException($"logsource '{source}' is not one Sigs maps ({string.Join("; ", All.Select(m => m.Name))})"),
    };
}
