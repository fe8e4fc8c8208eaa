using Sigs.Host.Common;

namespace Sigs.Host.Cli;

/// <summary>A parsed command line: the command, its options and positional arguments.</summary>
internal sealed record CommandLine(string Command, IReadOnlyDictionary<string, List<string?>> Options, IReadOnlyList<string> Arguments)
{
    /// <summary>The option's value; the last one when it was given more than once.</summary>
    public string? Option(string name) => Options.TryGetValue(name, out List<string?>? values) ? values[^1] : null;

    /// <summary>Every value of a repeatable option, in order.</summary>
    public IReadOnlyList<string> Values(string name) => Options.TryGetValue(name, out List<string?>? values) ? [.. values.OfType<string>()] : [];

    public bool Flag(string name) => Options.ContainsKey(name);

    public bool WantsHelp => Flag("--help");

    /// <summary>
    /// Parses <c>sigs COMMAND [--option value | --flag | argument]...</c>. Every command accepts the global
    /// options; an option not declared for the command is an error.
    /// </summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, CommandSpec> commands)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            return new CommandLine("help", new Dictionary<string, List<string?>>(), []);
        }

        string command = args[0];
        if (!commands.TryGetValue(command, out CommandSpec? spec))
        {
            throw new UsageException($"unknown command '{command}'; commands: {string.Join(", ", commands.Keys)}");
        }

        var options = new Dictionary<string, List<string?>>(StringComparer.Ordinal);
        var arguments = new List<string>();
        bool onlyArguments = false;
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            if (onlyArguments || arg == "-" || !arg.StartsWith('-'))
            {
                arguments.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                onlyArguments = true;
                continue;
            }

            string name = arg == "-h" ? "--help" : arg;
            string? inlineValue = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                inlineValue = name[(equals + 1)..];
                name = name[..equals];
            }

            OptionSpec option = spec.Options.FirstOrDefault(o => o.Name == name)
                ?? throw new UsageException($"unknown option '{name}' for 'sigs {command}'; see 'sigs {command} --help'");
            string? value = option.ValueName is null ? null
                : inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"option '{name}' needs a value ({option.ValueName})"));
            if (!options.TryGetValue(name, out List<string?>? values))
            {
                options[name] = values = [];
            }

            values.Add(value);
        }

        return new CommandLine(command, options, arguments);
    }
}

/// <summary>A command's name, summary, usage line and options, for parsing and help.</summary>
internal sealed record CommandSpec(string Name, string Summary, string Usage, IReadOnlyList<OptionSpec> Options, string Details = "")
{
    public string Help()
    {
        int width = Options.Max(o => o.Display.Length) + 2;
        IEnumerable<string> lines = Options.Select(o => $"  {o.Display.PadRight(width)}{o.Description}");
        string details = Details.Length == 0 ? string.Empty : $"{Environment.NewLine}{Details}{Environment.NewLine}";
        return $"{Summary}{Environment.NewLine}{Environment.NewLine}Usage: {Usage}{Environment.NewLine}{details}{Environment.NewLine}Options:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}{Environment.NewLine}";
    }
}

/// <summary>One option: its name, the value it takes (null for a flag) and what it does.</summary>
internal sealed record OptionSpec(string Name, string? ValueName, string Description)
{
    public string Display => ValueName is null ? Name : $"{Name} {ValueName}";
}
