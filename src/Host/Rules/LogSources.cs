using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>
/// A Sigma logsource as Sigs maps it: the events it selects, a further check on each (file_event: opened for
/// writing), and its taxonomy's field names read from the contract (<see cref="Fields"/>, then
/// <see cref="Prefixed"/> for families such as <c>user.extra.KEY</c>). Names of the taxonomy Sigs cannot fill are
/// known with the reason, so a rule using one is refused saying why rather than never matching.
/// </summary>
internal sealed record LogSourceMapping(
    string Name,
    IReadOnlyList<EventSelector> Selectors,
    Func<SecurityEvent, bool>? Accepts,
    IReadOnlyDictionary<string, FieldReader> Fields,
    IReadOnlyDictionary<string, string> Unmapped,
    Func<string, FieldReader?>? Prefixed = null,
    IReadOnlyDictionary<string, Func<SecurityEvent, IReadOnlyList<string>?>>? JoinedLists = null)
{
    /// <summary>The reader of a field: the taxonomy's name, else a contract path; null when neither.</summary>
    public FieldReader? Field(string name) =>
        Fields.TryGetValue(name, out FieldReader? reader) ? reader : Prefixed?.Invoke(name) ?? EventFields.Of(name);

    /// <summary>The list a field is joined from with spaces (<c>CommandLine</c>), or null when it is read as it is.</summary>
    public Func<SecurityEvent, IReadOnlyList<string>?>? JoinedList(string name) =>
        JoinedLists is not null && JoinedLists.TryGetValue(name, out Func<SecurityEvent, IReadOnlyList<string>?>? list) ? list : null;
}

/// <summary>The logsources Sigs maps to its contract (docs/rules.md has the table).</summary>
internal static class LogSources
{
    private static readonly Func<SecurityEvent, IReadOnlyList<string>?> Args = e => e.Process?.Args;
    private static readonly Func<SecurityEvent, IReadOnlyList<string>?> ParentArgs = e => e.Process?.ParentArgs;

    private static FieldReader Joined(Func<SecurityEvent, IReadOnlyList<string>?> args) =>
        e => args(e) is { Count: > 0 } list ? string.Join(' ', list) : null;

    private const string NoUserName = "Tracee, Tetragon and the native probe send the uid, not the name; use process.uid, or process.userName where Falco fills it";

    private static readonly LogSourceMapping ProcessCreation = new(
        "product: linux, category: process_creation",
        [new EventSelector(EventNames.ProcessExec)],
        null,
        new Dictionary<string, FieldReader>(StringComparer.Ordinal)
        {
            ["Image"] = e => e.Process?.Executable,
            ["CommandLine"] = Joined(Args),
            ["ProcessId"] = e => (long?)e.Process?.Pid,
            ["ParentProcessId"] = e => (long?)e.Process?.ParentPid,
            ["ParentImage"] = e => e.Process?.ParentExecutable,
            ["ParentCommandLine"] = Joined(ParentArgs),
            ["CurrentDirectory"] = e => e.Process?.WorkingDirectory,
            ["User"] = e => e.Process?.UserName,
        },
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["LogonId"] = "Linux has no logon session id in any feed Sigs reads (auditd's auid is not one of them)",
            ["OriginalFileName"] = "it is the name in a Windows executable's version resource",
        },
        JoinedLists: new Dictionary<string, Func<SecurityEvent, IReadOnlyList<string>?>>(StringComparer.Ordinal) { ["CommandLine"] = Args, ["ParentCommandLine"] = ParentArgs });

    private static readonly Dictionary<string, FieldReader> FileFields = new(StringComparer.Ordinal)
    {
        ["TargetFilename"] = e => e.File?.Path,
        ["Image"] = e => e.Process?.Executable,
        ["ProcessId"] = e => (long?)e.Process?.Pid,
        ["User"] = e => e.Process?.UserName,
    };

    private static readonly LogSourceMapping FileEvent = new(
        "product: linux, category: file_event",
        [new EventSelector(EventNames.FileOpen)],
        e => e.File?.Flags is int flags && ((flags & OpenFlags.AccessModeMask) is OpenFlags.WriteOnly or OpenFlags.ReadWrite || (flags & Created) != 0),
        FileFields,
        new Dictionary<string, string>(StringComparer.Ordinal) { ["CreationUtcTime"] = "no feed reports when a file was created" });

    private static readonly LogSourceMapping FileAccess = new(
        "product: linux, category: file_access",
        [new EventSelector(EventNames.FileOpen)],
        null,
        FileFields,
        new Dictionary<string, string>(StringComparer.Ordinal));

    private static readonly LogSourceMapping KubernetesAudit = new(
        "product: kubernetes, service: audit",
        [new EventSelector(EventNames.KubernetesAudit)],
        null,
        new Dictionary<string, FieldReader>(StringComparer.Ordinal)
        {
            ["verb"] = e => e.Audit?.Verb,
            ["stage"] = e => e.Audit?.Stage,
            ["user.username"] = e => e.Audit?.User,
            ["user.groups"] = e => e.Audit?.UserGroups,
            ["requestURI"] = e => e.Audit?.RequestUri,
            ["responseStatus.code"] = e => (long?)e.Audit?.ResponseCode,
            // SigmaHQ's audit rules also write these, which are no audit Event field: read as they mean them.
            ["apiGroup"] = e => e.Audit?.ObjectRef?.ApiGroup,
            ["hostPath"] = e => JsonValues.Anywhere(e.Audit?.RequestObject, "hostPath"),
            ["capabilities"] = e => JsonValues.Anywhere(e.Audit?.RequestObject, "capabilities"),
            ["sourceIPs"] = e => e.Audit?.SourceIps,
            ["userAgent"] = e => e.Audit?.UserAgent,
        },
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["responseObject"] = "Sigs does not keep the response body",
            ["impersonatedUser.username"] = "Sigs does not keep the impersonated user",
        },
        // The audit Event's own paths below objectRef, user.extra and requestObject are the contract's below audit.
        name => EventFields.After(name, "user.extra.") is { } key ? EventFields.Of("audit.userExtra." + key)
            : name.StartsWith("objectRef.", StringComparison.Ordinal) || name.StartsWith("requestObject.", StringComparison.Ordinal) ? EventFields.Of("audit." + name)
            : null);

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
