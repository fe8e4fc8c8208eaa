using System.CommandLine;
using Sigs.Host.Feeds;

namespace Sigs.Host.Cli;

/// <summary>
/// The commands <c>sigs</c> understands and their options, on System.CommandLine: parsing, <c>--help</c>,
/// <c>--version</c> and shell completion (the <c>[suggest]</c> directive that <c>dotnet-suggest</c> uses).
/// </summary>
internal sealed class SigsCommands
{
    public SigsCommands()
    {
        Feed.Description = $"add a feed (repeatable): {string.Join(", ", FeedTypes.All.Select(t => t.ShortForm))}";
        Run = new Command("run", "Run the detection host: read the configured feeds, run every signature, write findings to the outputs.") { Feed };
        Run.Options.Add(Strict);
        Replay = new Command("replay", "Replay JSON-lines event files through the signatures and print the findings on stdout (text on a terminal, else JSON lines).") { Inputs, Format, Strict, Quiet, Events, Compact };
        List = new Command("list", "List the signatures the host loads: id, version, severity, name, selected events and plugin (--wide: file, SHA-256 and pin).") { Wide, Json };
        ConfigCheck = new Command("check", "Check the configuration without running: the config file, feed names, plugins, rules, signature settings and --enable/--disable values, one line per problem; exit 1 on any.") { Feed };
        ConfigCommand = new Command("config", "Work with the configuration: 'sigs config check' validates it as 'sigs run' would load it.") { ConfigCheck };
        Check = new Command("check", "Validate a built plugin (SDK compatibility, metadata, unique ids, config schema) or Sigma rules (each refusal with its file and line) without running the host.") { CheckPath };
        Health = new Command("health", $"Ask a running Sigs whether it is alive (default {HealthCommand.DefaultUrl}; /readyz for readiness): exit 0 on 200, else 1. For container health checks.") { HealthUrl };
        RefuseOptionLikeValues(Inputs, "replay");
        RefuseOptionLikeValues(CheckPath, "check");
        Root = new RootCommand("sigs: detection signatures for Linux nodes and Kubernetes, fed by Tracee, Falco, the Kubernetes audit log or its own probe.")
        {
            Config, Plugins, Rules, Enable, Disable, MinSeverity, LogLevel, Run, Replay, List, Check, ConfigCommand, Health,
        };
    }

    public Option<string> Config { get; } = new("--config")
    {
        HelpName = "FILE",
        Description = "YAML configuration, validated against schema/config.schema.json",
        Recursive = true,
    };

    public Option<string> Plugins { get; } = new("--plugins")
    {
        HelpName = "DIR",
        Description = "plugin folder (default: config plugins.dir, else plugins/ beside the sigs executable)",
        Recursive = true,
    };

    public Option<string[]> Rules { get; } = new("--rules")
    {
        HelpName = "DIR",
        Description = "a folder (searched recursively) or file of Sigma rules, each rule run as a signature; repeatable, beside the config's rules.dirs",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string> LogLevel { get; } = new("--log-level")
    {
        HelpName = "LEVEL",
        Description = "trace, debug, information, warning or error (default: information); logs go to stderr",
        Recursive = true,
    };

    public Option<string[]> Enable { get; } = new("--enable")
    {
        HelpName = "ID|TAG",
        Description = "run only the signatures with this id or tag (repeatable; any case; beside the config's select.enable)",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Disable { get; } = new("--disable")
    {
        HelpName = "ID|TAG",
        Description = "do not run the signatures with this id or tag (repeatable; any case; beside the config's select.disable)",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string> MinSeverity { get; } = new("--min-severity")
    {
        HelpName = "LEVEL",
        Description = "write only findings of this severity or higher to every output: info, low, medium, high or critical",
        Recursive = true,
    };

    public Option<string> Format { get; } = new("--format")
    {
        HelpName = "text|json",
        Description = "how stdout shows each finding: one text line, or its JSON (default: text on a terminal, else json)",
    };

    public Option<bool> Strict { get; } = new("--strict")
    {
        Description = "fail when anything configured did not load (a plugin, signature or rule refused, a signature setting or --enable/--disable value that names nothing): replay exits 1, run does not start",
    };

    public Option<bool> Wide { get; } = new("--wide") { Description = "also show each plugin's file, its SHA-256 and the pin plugins.trusted takes (wider than 100 columns)" };

    public Option<string[]> Feed { get; } = new("--feed") { HelpName = "TYPE[:ADDRESS]", Arity = ArgumentArity.ZeroOrMore };

    public Option<bool> Json { get; } = new("--json") { Description = "print one JSON document instead of a table" };

    public Option<bool> Events { get; } = new("--events")
    {
        Description = "print what Sigs made of each input line instead of running the signatures: its contract events as JSON lines (as signatures see them), and '# FILE:LINE: skipped: REASON' for a line or item skipped, in input order",
    };

    public Option<bool> Compact { get; } = new("--compact") { Description = "with --events: one short text line per event instead of JSON" };

    public Option<bool> Quiet { get; } = new("--quiet") { Description = "no progress line on stderr (shown only when stderr is a terminal)" };

    public Argument<string[]> Inputs { get; } = new("FILE|DIR|-")
    {
        Description = "event files; a folder stands for its *.json and *.jsonl files in name order; '-' reads stdin",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Argument<string?> HealthUrl { get; } = new("URL")
    {
        Description = $"the admin endpoint's /livez or /readyz (default {HealthCommand.DefaultUrl})",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Argument<string[]> CheckPath { get; } = new("PATH")
    {
        Description = "a plugin DLL or the folder it was built into, or a Sigma rule file or folder",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public RootCommand Root { get; }

    public Command Run { get; }

    public Command Replay { get; }

    public Command List { get; }

    public Command Check { get; }

    public Command Health { get; }

    /// <summary><c>sigs config</c>, which holds <see cref="ConfigCheck"/>.</summary>
    public Command ConfigCommand { get; }

    /// <summary><c>sigs config check</c>.</summary>
    public Command ConfigCheck { get; }

    /// <summary>The words that name a command after <c>sigs</c>: <c>run</c>, or <c>config check</c>.</summary>
    public static string PathOf(Command command) =>
        command.Parents.OfType<Command>().FirstOrDefault() is { } parent and not RootCommand ? $"{PathOf(parent)} {command.Name}" : command.Name;

    /// <summary>An argument that takes any string would take a mistyped option as a file name; it is an unknown option.</summary>
    private static void RefuseOptionLikeValues(Argument<string[]> argument, string command) =>
        argument.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault(t => t.Value.StartsWith('-') && t.Value != "-") is { } option)
            {
                result.AddError($"unknown option '{option.Value}' for 'sigs {command}'; see 'sigs {command} --help'");
            }
        });

    /// <summary>What a command does beyond its summary, shown under its usage in <c>--help</c>.</summary>
    public static string Details(string command) => command switch
    {
        "run" => "Runs until SIGTERM or Ctrl-C. Feeds come from the config's 'feeds:' list and every --feed; with none, the native probe runs.",
        "replay" => """
            Each line may be a Tracee event (tracee -o json, or v1beta1 JSON), a Falco JSON alert, a Kubernetes
            audit.k8s.io/v1 Event or EventList, or a Sigs event; formats may mix line by line. Bad lines are reported
            as FILE:LINE and skipped. Exit code 0 when the input was read (findings or not), 2 for a fatal error
            (missing file, bad config, unreadable plugin folder).
            """,
        "config check" => """
            Loads the configuration (--config), the plugin folder and the rule folders as 'sigs run' would, without
            reading a feed or writing a finding, and prints one line per problem: the config file against its schema,
            two feeds with one name, a feed that cannot start here, a plugin, signature or rule refused, a
            'signatures:' entry or an --enable/--disable value that names no signature. Exit code 0 when there is
            none, 1 when there is any, 2 when the configuration cannot be read at all.
            """,
        "list" => "Fits 100 columns, shortening names and events with '…'; --wide adds each plugin's file, SHA-256 and pin, --json everything.",
        "check" => """
            The plugin is loaded as the host would load it; each problem is printed as one line and the exit code is
            1 when there is any, 0 when there is none. Ids are compared with the plugins in the plugin folder
            (--plugins, config plugins.dir, or the default).
            """,
        _ => string.Empty,
    };
}
