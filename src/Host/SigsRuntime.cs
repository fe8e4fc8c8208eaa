using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Enrichment;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Loading;
using Sigs.Host.Outputs;
using Sigs.Plugins;

namespace Sigs.Host;

/// <summary>
/// The assembled pipeline every command uses: outputs, the loaded plugin generation, the engine and the
/// process table. Events go <see cref="Process"/> -> enrich -> engine -> findings -> outputs.
/// </summary>
internal sealed class SigsRuntime : IDisposable
{
    public const int ProcessTableCapacity = 65_536;

    private long _eventsProcessed;

    public SigsRuntime(SigsConfig config, string pluginFolder, IReadOnlyList<IFindingOutput> outputs, ILoggerFactory loggerFactory, TimeProvider clock)
    {
        Config = config;
        PluginFolder = pluginFolder;
        Clock = clock;
        ArgumentForms.Logger = loggerFactory.CreateLogger("Sigs.Feeds.ArgumentForms");
        InvalidUtf8.Logger = loggerFactory.CreateLogger("Sigs.Feeds.InvalidUtf8");
        Findings = new FindingWriter(outputs, loggerFactory.CreateLogger<FindingWriter>());
        Plugins = new PluginManager(pluginFolder, CreateLoader(config, Findings, clock, loggerFactory), loggerFactory.CreateLogger("Sigs.Loading"));
        try
        {
            Engine.Publish(Plugins.LoadAll());
        }
        catch
        {
            Plugins.Dispose();
            Findings.Dispose();
            throw;
        }
    }

    public SigsConfig Config { get; }

    public string PluginFolder { get; }

    public TimeProvider Clock { get; }

    public FindingWriter Findings { get; }

    /// <summary>The loaded plugins; the engine's index is built from them.</summary>
    public PluginManager Plugins { get; }

    public DetectionEngine Engine { get; } = new();

    public ProcessTable Processes { get; } = new(ProcessTableCapacity);

    /// <summary>What the native probe should watch for the signatures loaded now.</summary>
    public WatchPlan WatchPlan() => Feeds.Native.WatchPlan.From(Engine.Index.Runners.Select(r => (r.Selectors, r.FilePatterns)));

    /// <summary>Events run through the engine so far.</summary>
    public long EventsProcessed => Volatile.Read(ref _eventsProcessed);

    /// <summary>Runs one event through enrichment and the engine. Called from one thread at a time.</summary>
    /// <returns>False when the engine's watchdog took over this thread (see <see cref="DetectionEngine"/>): stop.</returns>
    public bool Process(SecurityEvent securityEvent)
    {
        _eventsProcessed++;
        return Engine.Dispatch(Processes.Enrich(securityEvent));
    }

    /// <summary>The plugin folder: the command line's, else the config's (relative to the config file), else plugins/ beside the executable.</summary>
    public static string ResolvePluginFolder(string? fromCommandLine, SigsConfig config, string? configPath)
    {
        if (fromCommandLine is not null)
        {
            return Path.GetFullPath(fromCommandLine);
        }

        if (config.Plugins.Dir is { } configured)
        {
            string baseFolder = configPath is null ? Environment.CurrentDirectory : Path.GetDirectoryName(Path.GetFullPath(configPath))!;
            return Path.GetFullPath(configured, baseFolder);
        }

        return Path.Combine(AppContext.BaseDirectory, "plugins");
    }

    public static IReadOnlyList<IFindingOutput> CreateOutputs(SigsConfig config, ILoggerFactory loggerFactory) =>
        [.. config.Outputs.Select(output => output.Type switch
        {
            OutputConfig.File => new RotatingFileOutput(output.Path!, output.MaxSizeMB, output.MaxFiles, output.FsyncSeconds is int s ? TimeSpan.FromSeconds(s) : null),
            OutputConfig.Http => new HttpOutput(
                new Uri(output.Url!),
                output.Format == "falco",
                output.Headers,
                output.SpoolDir,
                output.QueueCapacity,
                TimeSpan.FromSeconds(output.TimeoutSeconds),
                loggerFactory.CreateLogger<HttpOutput>()),
            _ => (IFindingOutput)new StandardOutput(),
        })];

    /// <summary>A loader with the configuration's signature settings, trust rules and fault policy.</summary>
    public static PluginLoader CreateLoader(SigsConfig config, IFindingSink sink, TimeProvider clock, ILoggerFactory loggerFactory) => new(
        config.Signatures,
        sink,
        clock,
        loggerFactory,
        new PluginTrust(config.Plugins.AllowInsecurePermissions, config.Plugins.Trusted),
        new RunnerPolicy(
            config.Engine.Quarantine.Faults,
            TimeSpan.FromSeconds(config.Engine.Quarantine.WindowSeconds),
            TimeSpan.FromMilliseconds(config.Engine.SlowCallMilliseconds),
            config.Engine.IsolatedQueueCapacity));

    public void Dispose()
    {
        Plugins.Dispose();
        Findings.Dispose();
    }
}
