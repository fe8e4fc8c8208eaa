using System.CommandLine;
using System.CommandLine.Help;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Forwarding;
using Sigs.Host.Outputs;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Cli;

/// <summary>
/// <c>sigs</c>'s entry: parses the command line, loads the configuration and the pipeline, runs the command.
/// Every fatal problem is one line on stderr and exit code 2.
/// </summary>
internal static class SigsCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var commands = new SigsCommands();
        foreach (HelpOption help in commands.Root.Options.OfType<HelpOption>())
        {
            help.Action = new HelpText();
        }

        commands.Root.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(HelpText.Render(commands.Root, commands.Root));
            return 0;
        });
        foreach (Command command in commands.Root.Subcommands.Append(commands.ConfigCheck))
        {
            command.SetAction((parse, cancellation) => ExecuteAsync(commands, parse, SigsCommands.PathOf(command), output, error, cancellation));
        }

        commands.ConfigCommand.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(HelpText.Render(commands.ConfigCommand, commands.Root));
            return 0;
        });

        try
        {
            ParseResult parse = commands.Root.Parse(args is ["help"] ? ["--help"] : args); // 'sigs help' as before
            if (parse.Errors.Count > 0)
            {
                throw new UsageException(ParseProblem(parse, commands));
            }

            var invocation = new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // the host handles SIGTERM and drains; nothing else may exit early
            };
            return await parse.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"sigs: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is ConfigException or FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"sigs: error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    private static async Task<int> ExecuteAsync(SigsCommands commands, ParseResult parse, string command, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        // Inputs are checked before anything loads, so a typo fails fast with one line.
        IReadOnlyList<string> replayInputs = command == commands.Replay.Name ? ReplayCommand.ExpandInputs(parse.GetValue(commands.Inputs) ?? []) : [];
        IReadOnlyList<FeedOptions> commandLineFeeds = [.. (parse.GetValue(commands.Feed) ?? []).Select(FeedFactory.Parse)];
        using ILoggerFactory loggerFactory = CreateLoggerFactory(parse.GetValue(commands.LogLevel));
        TimeProvider clock = TimeProvider.System; // the one clock; everything else gets it from here
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (command == commands.Health.Name)
            {
                return await HealthCommand.RunAsync(parse.GetValue(commands.HealthUrl), output, stop.Token).ConfigureAwait(false);
            }

            if (command == commands.Replay.Name && parse.GetValue(commands.Events))
            {
                return await ReplayEvents.RunAsync(replayInputs, parse.GetValue(commands.Compact), output, error, loggerFactory, stop.Token).ConfigureAwait(false);
            }

            // A replay's first input is decoded while the configuration and the signatures load.
            using ReplayInput? replay = command == commands.Replay.Name ? ReplayCommand.Start(replayInputs, loggerFactory, stop.Token) : null;
            string? configPath = parse.GetValue(commands.Config);
            bool isReplay = command == commands.Replay.Name;
            SigsConfig config = CommandLineSettings.Apply(
                ConfigLoader.Load(configPath, HostExtensions.Types),
                parse.GetValue(commands.Enable) ?? [],
                parse.GetValue(commands.Disable) ?? [],
                parse.GetValue(commands.MinSeverity),
                isReplay ? parse.GetValue(commands.Format) : null,
                replayToTerminal: isReplay && !Console.IsOutputRedirected);
            string pluginFolder = PipelineSignatures.FolderFor(parse.GetValue(commands.Plugins), config, configPath);
            if (command == commands.Check.Name)
            {
                return CheckCommand.Run(parse.GetValue(commands.CheckPath) ?? [], config, pluginFolder, output, clock);
            }

            IReadOnlyList<string> rules = PipelineSignatures.RulesFor(parse.GetValue(commands.Rules) ?? [], config, configPath);
            if (command == "config check")
            {
                return ConfigCheckCommand.Run(config, pluginFolder, rules, RunCommand.FeedsOrNative([.. config.Feeds, .. commandLineFeeds]), loggerFactory, output, clock);
            }

            var outputs = command == commands.List.Name ? [] : OutputTypes.Create(config.Outputs, loggerFactory, clock);
            EventForwarder? forwarder = command != commands.List.Name && config.Forward.Count > 0 ? new EventForwarder(config.Forward, loggerFactory, clock) : null;
            IReadOnlyList<FeedOptions>? feeds = command == commands.Replay.Name ? null : RunCommand.FeedsOrNative([.. config.Feeds, .. commandLineFeeds]); // a replay's inputs may hold any event
            using var pipeline = new DetectionPipeline(config, new PipelineSignatures.Folder(pluginFolder, rules, feeds), outputs, loggerFactory, clock, forwarder);
            bool strict = parse.GetValue(commands.Strict);
            if (strict && command == commands.Run.Name && pipeline.StrictProblems is { Count: > 0 } problems)
            {
                await error.WriteLineAsync($"sigs: --strict: not starting: {string.Join("; ", problems)}").ConfigureAwait(false);
                return 1;
            }

            forwarder?.Start();
            return command switch
            {
                "replay" => await ReplayCommand.RunAsync(replay!, pipeline, parse.GetValue(commands.Quiet), strict, error, loggerFactory.CreateLogger(LogCategories.Engine), stop.Token).ConfigureAwait(false),
                "list" => ListCommand.Run(parse.GetValue(commands.Json), parse.GetValue(commands.Wide), pipeline, output),
                _ => await RunCommand.RunAsync(feeds!, pipeline, loggerFactory, stop.Token).ConfigureAwait(false),
            };
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The first parse error in Sigs' words: what was wrong, and where to look.</summary>
    private static string ParseProblem(ParseResult parse, SigsCommands commands)
    {
        Command command = parse.CommandResult.Command;
        string? unmatched = parse.UnmatchedTokens.Count > 0 ? parse.UnmatchedTokens[0] : null;
        if (unmatched is not null && command == commands.Root)
        {
            return $"unknown command '{unmatched}'; commands: {string.Join(", ", commands.Root.Subcommands.Select(c => c.Name))}";
        }

        if (unmatched is not null && unmatched.StartsWith('-') && unmatched != "-")
        {
            return $"unknown option '{unmatched}' for 'sigs {command.Name}'; see 'sigs {command.Name} --help'";
        }

        if (unmatched is not null)
        {
            return $"unexpected argument '{unmatched}' for 'sigs {command.Name}'; see 'sigs {command.Name} --help'";
        }

        string message = parse.Errors[0].Message;
        if (parse.Errors[0].SymbolResult is System.CommandLine.Parsing.OptionResult { Option: { } option } && option.HelpName is { } valueName && message.StartsWith("Required argument missing", StringComparison.Ordinal))
        {
            return $"option '{option.Name}' needs a value ({valueName})";
        }

        return message.Contains("see 'sigs", StringComparison.Ordinal) ? message : $"{message.TrimEnd('.')}; see 'sigs {command.Name} --help'";
    }

    private static ILoggerFactory CreateLoggerFactory(string? level)
    {
        LogLevel minimum = level is null ? Microsoft.Extensions.Logging.LogLevel.Information
            : Enum.TryParse(level, ignoreCase: true, out LogLevel parsed) && Enum.IsDefined(parsed) ? parsed
            : throw new UsageException($"--log-level '{level}' is not one of trace, debug, information, warning, error");
        return LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(minimum);
            builder.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
            builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = Microsoft.Extensions.Logging.LogLevel.Trace);
        });
    }
}
