using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Sigs.Host;
using Sigs.Host.Cli;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Pipeline;

try
{
    CommandLine command = CommandLine.Parse(args, Commands.All);
    if (command.Command == "help")
    {
        Console.Out.Write(Commands.Overview());
        return 0;
    }

    if (command.WantsHelp)
    {
        Console.Out.Write(Commands.All[command.Command].Help());
        return 0;
    }

    // Inputs are checked before anything loads, so a typo fails fast with one line.
    IReadOnlyList<string> replayInputs = command.Command == Commands.Replay.Name ? ReplayCommand.ExpandInputs(command.Arguments) : [];
    IReadOnlyList<FeedOptions> commandLineFeeds = [.. command.Values("--feed").Select(FeedFactory.Parse)];
    using ILoggerFactory loggerFactory = CreateLoggerFactory(command.Option("--log-level"));
    TimeProvider clock = TimeProvider.System; // the one clock; everything else gets it from here
    using var cancellation = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancellation.Cancel();
    };

    string? configPath = command.Option("--config");
    SigsConfig config = ConfigLoader.Load(configPath, HostExtensions.Types);
    string pluginFolder = DetectionPipeline.ResolvePluginFolder(command.Option("--plugins"), config, configPath);
    if (command.Command == Commands.Check.Name)
    {
        return CheckCommand.Run(command.Arguments, config, pluginFolder, Console.Out, clock);
    }

    var outputs = command.Command == Commands.List.Name ? [] : DetectionPipeline.CreateOutputs(config, loggerFactory, clock);
    using var runtime = new DetectionPipeline(config, new PipelineSignatures.Folder(pluginFolder), outputs, loggerFactory, clock);
    return command.Command switch
    {
        "replay" => await ReplayCommand.RunAsync(replayInputs, runtime, loggerFactory, Console.Error, cancellation.Token),
        "list" => ListCommand.Run(command, runtime, Console.Out),
        _ => await RunCommand.RunAsync([.. config.Feeds, .. commandLineFeeds], runtime, loggerFactory, cancellation.Token),
    };
}
catch (UsageException ex)
{
    await Console.Error.WriteLineAsync($"sigs: {ex.Message}");
    return 2;
}
catch (Exception ex) when (ex is ConfigException or FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"sigs: error: {ex.Message}");
    return 2;
}

static ILoggerFactory CreateLoggerFactory(string? level)
{
    LogLevel minimum = level is null ? LogLevel.Information
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
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
