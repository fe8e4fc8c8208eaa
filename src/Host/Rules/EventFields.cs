using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>Reads one field of an event: a text, a number (long), a boolean, a list of texts, or null when the event has none.</summary>
internal delegate object? FieldReader(SecurityEvent securityEvent);

/// <summary>
/// Every contract field by its path in the contract's JSON form (<c>process.executable</c>,
/// <c>kubernetes.podName</c>, <c>args.NAME</c>): what a rule can name beside a logsource's taxonomy.
/// </summary>
internal static class EventFields
{
    private static readonly Dictionary<string, FieldReader> Paths = new(StringComparer.Ordinal)
    {
        ["time"] = e => e.Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["source"] = e => e.Source,
        ["name"] = e => e.Name,
        ["origin"] = e => e.Origin == EventOrigin.Container ? "container" : "host",
        ["hostName"] = e => e.HostName,
        ["process.pid"] = e => (long?)e.Process?.Pid,
        ["process.hostPid"] = e => (long?)e.Process?.HostPid,
        ["process.parentPid"] = e => (long?)e.Process?.ParentPid,
        ["process.name"] = e => e.Process?.Name,
        ["process.executable"] = e => e.Process?.Executable,
        ["process.args"] = e => e.Process?.Args,
        ["process.uid"] = e => (long?)e.Process?.Uid,
        ["process.interactive"] = e => e.Process?.Interactive,
        ["process.tty"] = e => e.Process?.Tty,
        ["process.userName"] = e => e.Process?.UserName,
        ["process.workingDirectory"] = e => e.Process?.WorkingDirectory,
        ["process.parentExecutable"] = e => e.Process?.ParentExecutable,
        ["process.parentArgs"] = e => e.Process?.ParentArgs,
        ["container.id"] = e => e.Container?.Id,
        ["container.name"] = e => e.Container?.Name,
        ["container.image"] = e => e.Container?.Image,
        ["kubernetes.podName"] = e => e.Kubernetes?.PodName,
        ["kubernetes.namespace"] = e => e.Kubernetes?.Namespace,
        ["kubernetes.podUid"] = e => e.Kubernetes?.PodUid,
        ["kubernetes.nodeName"] = e => e.Kubernetes?.NodeName,
        ["file.path"] = e => e.File?.Path,
        ["file.flags"] = e => (long?)e.File?.Flags,
        // Derived, not in the JSON form: how the file was opened (flags & O_ACCMODE), since Sigma has no bitwise test.
        ["file.access"] = e => e.File?.Flags is int flags ? Contract.AccessMode.Name(flags) : null,
        ["file.oldPath"] = e => e.File?.OldPath,
        ["file.newPath"] = e => e.File?.NewPath,
        ["audit.stage"] = e => e.Audit?.Stage,
        ["audit.verb"] = e => e.Audit?.Verb,
        ["audit.user"] = e => e.Audit?.User,
        ["audit.requestingPods"] = e => e.Audit?.RequestingPods,
        ["audit.requestingNodes"] = e => e.Audit?.RequestingNodes,
        ["audit.requestUri"] = e => e.Audit?.RequestUri,
        ["audit.responseCode"] = e => (long?)e.Audit?.ResponseCode,
        ["audit.objectRef.resource"] = e => e.Audit?.ObjectRef?.Resource,
        ["audit.objectRef.subresource"] = e => e.Audit?.ObjectRef?.Subresource,
        ["audit.objectRef.namespace"] = e => e.Audit?.ObjectRef?.Namespace,
        ["audit.objectRef.name"] = e => e.Audit?.ObjectRef?.Name,
        ["audit.objectRef.apiGroup"] = e => e.Audit?.ObjectRef?.ApiGroup,
        ["audit.objectRef.apiVersion"] = e => e.Audit?.ObjectRef?.ApiVersion,
        ["audit.userGroups"] = e => e.Audit?.UserGroups,
        ["audit.sourceIps"] = e => e.Audit?.SourceIps,
        ["audit.userAgent"] = e => e.Audit?.UserAgent,
    };

    /// <summary>The contract paths, for docs and errors.</summary>
    public static IEnumerable<string> Names => Paths.Keys;

    /// <summary>The reader of a contract path, or null when there is no such path.</summary>
    public static FieldReader? Of(string path)
    {
        if (Paths.TryGetValue(path, out FieldReader? reader))
        {
            return reader;
        }

        return After(path, "args.") is { } name ? e => e.Arguments.TryGetValue(name, out string? value) ? value : null
            : After(path, "audit.userExtra.") is { } key ? UserExtra(key)
            : After(path, "audit.requestObject.") is { } member ? RequestObject(member)
            : null;
    }

    /// <summary>The user's extra values under <paramref name="key"/> (a key may hold dots and slashes).</summary>
    private static FieldReader UserExtra(string key) =>
        e => e.Audit?.UserExtra is { } extra && extra.TryGetValue(key, out IReadOnlyList<string>? values) ? values : null;

    /// <summary>The values at a dotted path in the audit event's request object.</summary>
    private static FieldReader RequestObject(string dottedPath)
    {
        string[] path = dottedPath.Split('.');
        return e => JsonValues.At(e.Audit?.RequestObject, path);
    }

    /// <summary>The rest of <paramref name="path"/> after <paramref name="prefix"/>; null when it does not start so or nothing follows.</summary>
    public static string? After(string path, string prefix) =>
        path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : null;
}
