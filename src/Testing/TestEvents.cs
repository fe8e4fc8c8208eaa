using Sigs.Host.TestKit;

namespace Sigs.Plugins.Testing;

/// <summary>Builds contract events for tests, or reads them from sensor JSON lines.</summary>
public static class TestEvents
{
    /// <summary>The time of an event built with <c>atSeconds: 0</c>.</summary>
    public static DateTimeOffset BaseTime { get; } = new(2025, 11, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A <c>security_file_open</c>. Defaults: read-only, interactive, in container <c>c0ffee</c> of pod <c>web-1</c>.
    /// Pass <paramref name="containerId"/> null for a host event.
    /// </summary>
    public static SecurityEvent FileOpen(
        string path,
        string processName = "cat",
        int? flags = OpenFlags.ReadOnly,
        bool? interactive = true,
        string? containerId = "c0ffee",
        string? podName = "web-1",
        double atSeconds = 0) =>
        Event(EventNames.FileOpen, processName, interactive, containerId, podName, atSeconds) with
        {
            File = new FileEventInfo { Path = path, Flags = flags },
        };

    /// <summary>A <c>sched_process_exec</c> of <paramref name="argv"/> (argv[0] included).</summary>
    public static SecurityEvent Exec(
        IReadOnlyList<string> argv,
        string? processName = null,
        string? executable = null,
        bool? interactive = true,
        string? containerId = "c0ffee",
        string? podName = "web-1",
        double atSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(argv);
        string name = processName ?? Path.GetFileName(argv[0]);
        SecurityEvent exec = Event(EventNames.ProcessExec, name, interactive, containerId, podName, atSeconds);
        return exec with { Process = exec.Process! with { Args = argv, Executable = executable ?? $"/usr/bin/{name}" } };
    }

    /// <summary>A <c>security_inode_rename</c> from <paramref name="oldPath"/> to <paramref name="newPath"/>.</summary>
    public static SecurityEvent Rename(string oldPath, string newPath, string processName = "mv", string? containerId = null, double atSeconds = 0) =>
        Event(EventNames.FileRename, processName, null, containerId, null, atSeconds) with
        {
            File = new FileEventInfo { OldPath = oldPath, NewPath = newPath, Path = newPath },
        };

    /// <summary>A Kubernetes audit event for a request made with the credentials of <paramref name="requestingPods"/>.</summary>
    public static SecurityEvent Audit(IReadOnlyList<string> requestingPods, string stage = "ResponseComplete", string verb = "list", string requestUri = "/api/v1/secrets", double atSeconds = 0) => new()
    {
        Time = BaseTime.AddSeconds(atSeconds),
        Source = EventSources.KubernetesAudit,
        Name = EventNames.KubernetesAudit,
        Origin = EventOrigin.Host,
        Audit = new AuditInfo { Stage = stage, Verb = verb, RequestingPods = requestingPods, RequestUri = requestUri, ResponseCode = 200 },
    };

    /// <summary>
    /// Reads JSON lines in any format <c>sigs replay</c> reads (Tracee, Falco, Kubernetes audit, Sigs), with the
    /// host's own decoders. Blank lines are skipped.
    /// </summary>
    /// <exception cref="FormatException">A line cannot be decoded; the message gives its number and the reason.</exception>
    public static IReadOnlyList<SecurityEvent> FromJsonLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var events = new List<SecurityEvent>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            IReadOnlyList<SecurityEvent> decoded = SignatureHarness.DecodeLine(line, out string? problem);
            if (problem is not null)
            {
                throw new FormatException($"line {i + 1}: {problem}");
            }

            events.AddRange(decoded);
        }

        return events;
    }

    private static SecurityEvent Event(string name, string processName, bool? interactive, string? containerId, string? podName, double atSeconds) => new()
    {
        Time = BaseTime.AddSeconds(atSeconds),
        Source = EventSources.Sigs,
        Name = name,
        Origin = containerId is null ? EventOrigin.Host : EventOrigin.Container,
        Process = new ProcessInfo { Pid = 100, HostPid = 100, EntityId = 1, Name = processName, Interactive = interactive },
        Container = containerId is null ? null : new ContainerInfo { Id = containerId },
        Kubernetes = podName is null ? null : new KubernetesInfo { PodName = podName, Namespace = "default" },
    };
}
