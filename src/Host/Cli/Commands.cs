namespace Sigs.Host.Cli;

/// <summary>The commands <c>sigs</c> understands and their options.</summary>
internal static class Commands
{
    private static readonly OptionSpec[] Global =
    [
        new("--config", "FILE", "YAML configuration, validated against schema/config.schema.json"),
        new("--plugins", "DIR", "plugin folder (default: config plugins.dir, else plugins/ beside the sigs executable)"),
        new("--log-level", "LEVEL", "trace, debug, information, warning or error (default: information); logs go to stderr"),
        new("--help", null, "show this help"),
    ];

    public static readonly CommandSpec Run = new(
        "run",
        "Run the detection host: read the configured feeds, run every signature, write findings to the outputs.",
        "sigs run [--config FILE] [--plugins DIR] [--feed TYPE[:ADDRESS]]...",
        [.. Global, new("--feed", "TYPE[:ADDRESS]", "add a feed (repeatable): tracee[:unix:/var/run/tracee.sock], falco-http[:http://127.0.0.1:2801/], falco-grpc[:unix:///run/falco/falco.sock], k8s-audit[:http://127.0.0.1:9765/k8s-audit], file:PATH")],
        "Runs until SIGTERM or Ctrl-C. Feeds come from the config's 'feeds:' list and every --feed.");

    public static readonly CommandSpec Replay = new(
        "replay",
        "Replay JSON-lines event files through the signatures and print the findings as JSON lines on stdout.",
        "sigs replay [--config FILE] [--plugins DIR] FILE|DIR|- ...",
        Global,
        """
        Each line may be a Tracee event (tracee -o json, or v1beta1 JSON), a Falco JSON alert, a Kubernetes
        audit.k8s.io/v1 Event or EventList, or a Sigs event; formats may mix line by line. A folder stands for its
        *.json and *.jsonl files in name order; '-' reads stdin. Bad lines are reported as FILE:LINE and skipped.
        Exit code 0 when the input was read (findings or not), 2 for a fatal error (missing file, bad config,
        unreadable plugin folder).
        """);

    public static readonly CommandSpec List = new(
        "list",
        "List the signatures the host loads: id, name, version, selected events, plugin file and its SHA-256.",
        "sigs list [--config FILE] [--plugins DIR] [--json]",
        [.. Global, new("--json", null, "print one JSON document instead of a table")]);

    public static readonly CommandSpec Check = new(
        "check",
        "Validate a built plugin without running the host: SDK compatibility, metadata, unique ids, config schema.",
        "sigs check [--config FILE] [--plugins DIR] PATH",
        Global,
        """
        PATH is a plugin DLL or the folder it was built into. The plugin is loaded as the host would load it; each
        problem is printed as one line and the exit code is 1 when there is any, 0 when there is none. Ids are
        compared with the plugins in the plugin folder (--plugins, config plugins.dir, or the default).
        """);

    public static readonly IReadOnlyDictionary<string, CommandSpec> All = new Dictionary<string, CommandSpec>(StringComparer.Ordinal)
    {
        [Run.Name] = Run,
        [Replay.Name] = Replay,
        [List.Name] = List,
        [Check.Name] = Check,
    };

    public static string Overview() =>
        $"""
        sigs: detection signatures for Linux nodes and Kubernetes, fed by Tracee, Falco and the Kubernetes audit log.

        Usage: sigs COMMAND [options]

        Commands:
        {string.Join(Environment.NewLine, All.Values.Select(c => $"  {c.Name,-8}{c.Summary}"))}

        Run 'sigs COMMAND --help' for a command's options.

        """;
}
