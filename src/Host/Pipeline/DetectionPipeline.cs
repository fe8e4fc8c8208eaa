using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Enrichment;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Forwarding;
using Sigs.Host.Loading;
using Sigs.Host.Outputs;
using Sigs.Host.Rules;
using Sigs.Plugins;

namespace Sigs.Host.Pipeline;

/// <summary>
/// The one assembly of Sigs' stages that every command, the test kit and the benchmarks use: feeds (or files)
/// hand decoded events to <see cref="Process"/>, which enriches them with process facts and runs the engine;
/// signatures' findings go through <see cref="Findings"/> to the outputs.
/// </summary>
internal sealed class DetectionPipeline : IDisposable
{
    public const int ProcessTableCapacity = 65_536;

    private readonly IReadOnlyList<LoadedPlugin> _ownPlugins;
    private readonly RecordedCount _eventsProcessed = new(perEvent: true);

    /// <param name="forwarder">Where the events of forwarded signatures go (<c>forward:</c>); the pipeline disposes it.</param>
    public DetectionPipeline(SigsConfig config, PipelineSignatures signatures, IReadOnlyList<IFindingOutput> outputs, ILoggerFactory loggerFactory, TimeProvider clock, EventForwarder? forwarder = null)
    {
        Config = config;
        Forwarder = forwarder;
        Clock = clock;
        ArgumentForms.Logger = loggerFactory.CreateLogger(LogCategories.Feed("arguments"));
        InvalidUtf8.Logger = loggerFactory.CreateLogger(LogCategories.Feed("utf8"));
        Findings = new FindingWriter(outputs, loggerFactory.CreateLogger(LogCategories.Outputs), clock);
        Loader = CreateLoader(config, Findings, clock, loggerFactory);
        UnloadVerifier = new UnloadVerifier(loggerFactory.CreateLogger(LogCategories.Loading), clock);
        try
        {
            (Plugins, _ownPlugins, SignatureIndex index) = Load(signatures, loggerFactory);
            Publish(index);
        }
        catch
        {
            Findings.Dispose();
            throw;
        }
    }

    public SigsConfig Config { get; }

    public TimeProvider Clock { get; }

    public FindingWriter Findings { get; }

    /// <summary>The loader, with the configuration's signature settings, trust rules and fault policy.</summary>
    public PluginLoader Loader { get; }

    /// <summary>Checks that unloaded plugins are collected, and counts those that are not.</summary>
    public UnloadVerifier UnloadVerifier { get; }

    /// <summary>The Sigma rules of the rule folders, run beside the plugins; null when the signatures came from elsewhere.</summary>
    public RuleRunners? Rules { get; private set; }

    /// <summary>Rules loaded and refused by the latest load, for /metrics.</summary>
    public RuleRunners.Counts RuleCounts => Rules?.Latest ?? RuleRunners.Counts.None;

    /// <summary>
    /// When the rule files changed (and stayed the same since the last look): loads them all again and returns the
    /// runners they replace, after which <see cref="PluginManager.BuildIndex"/> has the new ones; null when nothing
    /// changed. Called by the one watch loop.
    /// </summary>
    public IReadOnlyList<SignatureRunner>? ReloadRulesIfChanged()
    {
        if (Plugins is null || Rules?.ReloadIfChanged() is not { } retired)
        {
            return null;
        }

        Plugins.OtherRunners = Rules.Runners;
        return retired;
    }

    /// <summary>The plugin folder kept in step with the engine; null when the signatures came from elsewhere.</summary>
    public PluginManager? Plugins { get; }

    /// <summary>
    /// What the latest load could not do as configured, one line each: plugins, signatures and rules refused,
    /// signature settings and enable or disable values that named no signature. <c>--strict</c> fails on any.
    /// </summary>
    public IReadOnlyList<string> LoadProblems =>
    [
        .. Plugins?.Refusals ?? [],
        .. Rules?.Refusals ?? [],
        .. Loader.UnknownSettings.Select(id => $"signatures.{id}: no plugin or rule has a signature with this id"),
        .. Loader.Selection.Unused(),
    ];

    /// <summary>What <c>--strict</c> fails on: <see cref="LoadProblems"/>, and no signature at all.</summary>
    public IReadOnlyList<string> StrictProblems =>
        Engine.Index.Runners.Count == 0 ? [.. LoadProblems, "no signature loaded"] : LoadProblems;

    public DetectionEngine Engine { get; } = new();

    /// <summary>Sends forwarded signatures' events to correlators; null without <c>forward:</c>.</summary>
    public EventForwarder? Forwarder { get; }

    public ProcessTable Processes { get; } = new(ProcessTableCapacity);

    /// <summary>Copies of the events run, for the admin endpoint's <c>/events</c> readers.</summary>
    public EventMirror Mirror { get; } = new();

    /// <summary>What the native probe should watch for the signatures loaded now.</summary>
    public Feeds.WatchPlan WatchPlan() => Feeds.WatchPlan.From(Engine.Index.Runners.Select(r => (r.Selectors, r.FilePatterns)));

    /// <summary>
    /// Records every count of the pipeline's stages on the host's instruments from now on (engine, process table,
    /// findings and outputs, loader and the runners it makes, unload checks, forwards). Call it before events flow.
    /// </summary>
    public void Attach(SigsInstruments instruments)
    {
        _eventsProcessed.Attach(instruments, instruments.EngineEvents);
        Processes.Attach(instruments);
        Findings.Attach(instruments);
        Loader.Attach(instruments);
        UnloadVerifier.Attach(instruments);
        foreach (SignatureRunner runner in Engine.Index.Runners)
        {
            runner.Attach(instruments);
        }

        foreach (Forwarding.IEventPublisher forward in Forwarder?.Publishers ?? [])
        {
            forward.Attach(instruments);
        }
    }

    /// <summary>What the signatures loaded now ask of feeds.</summary>
    public IReadOnlyList<SignatureDemand> Demands() =>
        [.. Engine.Index.Runners.Select(r => new SignatureDemand(r.Metadata.Id, r.Selectors, r.FilePatterns, r.RequiredFacts))];

    /// <summary>Events run through the engine so far.</summary>
    public long EventsProcessed => _eventsProcessed.Value;

    /// <summary>Runs one event through enrichment and the engine. Called from one thread at a time.</summary>
    /// <returns>False when the engine's watchdog took over this thread (see <see cref="DetectionEngine"/>): stop.</returns>
    /// <param name="replayed">Processed before (by an earlier run): only the signatures' state is rebuilt; its findings are not reported again and it is not forwarded.</param>
    public bool Process(SecurityEvent securityEvent, bool replayed = false)
    {
        _eventsProcessed.Add();
        SecurityEvent enriched = Processes.Enrich(securityEvent);
        if (!replayed)
        {
            Forwarder?.Offer(enriched);
            Mirror.Offer(enriched);
        }

        return Engine.Dispatch(enriched, replayed);
    }

    /// <summary>
    /// Makes a generation of signatures current: forwarded ones are routed to their forwards, the rest run here.
    /// Call it on the engine thread (or before dispatch starts), as <see cref="DetectionEngine.Publish"/> says.
    /// </summary>
    public void Publish(SignatureIndex generation) => Engine.Publish(Forwarder?.Route(generation) ?? generation);

    /// <summary>
    /// The end of the input, after the engine loop drained: signatures hear it, isolated runners drain their queues,
    /// and the findings are written, all within <paramref name="deadline"/>. False when the findings were not all
    /// written by then (the writer gets a last chance when the pipeline is disposed).
    /// </summary>
    public async Task<bool> EndInputAsync(DateTimeOffset time, TimeSpan deadline)
    {
        long started = Clock.GetTimestamp();
        Engine.Signal(new Signal(SignalKind.EndOfInput, time));
        await Task.WhenAll(Engine.Index.Runners.Select(r => r.DrainIsolationAsync(deadline))).ConfigureAwait(false);
        TimeSpan left = deadline - Clock.GetElapsedTime(started);
        try
        {
            await Findings.FlushAsync(CancellationToken.None).WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, Clock, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Sends a signal to every signature, as the engine loop does once a second and at the end.</summary>
    public bool Signal(Signal signal) => Engine.Signal(signal);

    /// <summary>A loader with the configuration's signature settings, trust rules and fault policy.</summary>
    private static PluginLoader CreateLoader(SigsConfig config, IFindingSink sink, TimeProvider clock, ILoggerFactory loggerFactory) => new(
        config.Signatures,
        sink,
        clock,
        loggerFactory,
        new PluginTrust(config.Plugins.AllowInsecurePermissions, config.Plugins.Trusted),
        new RunnerPolicy(
            config.Engine.Quarantine.Faults,
            TimeSpan.FromSeconds(config.Engine.Quarantine.WindowSeconds),
            TimeSpan.FromMilliseconds(config.Engine.SlowCallMilliseconds),
            config.Engine.IsolatedQueueCapacity),
        new SignatureSelection(config.Select, config.Signatures));

    private (PluginManager?, IReadOnlyList<LoadedPlugin>, SignatureIndex) Load(PipelineSignatures signatures, ILoggerFactory loggerFactory)
    {
        switch (signatures)
        {
            case PipelineSignatures.Folder folder:
                var manager = new PluginManager(folder.Path, Loader, loggerFactory.CreateLogger(LogCategories.Loading));
                try
                {
                    Rules = new RuleRunners(folder.Rules ?? [], folder.Feeds is { Count: > 0 } feeds ? feeds : null, Config, Loader, Clock, loggerFactory.CreateLogger(LogCategories.Rules));
                    manager.OtherRunners = Rules.Load();
                    return (manager, [], manager.LoadAll());
                }
                catch
                {
                    manager.Dispose();
                    throw;
                }

            case PipelineSignatures.OnePlugin one:
                LoadedPlugin? plugin = Loader.LoadEntry(one.Path, Path.GetDirectoryName(one.Path)!, [], []); // refusals are logged
                return (null, plugin is null ? [] : [plugin], new SignatureIndex(plugin?.Runners ?? []));

            case PipelineSignatures.Instances instances:
                var info = new PluginInfo("instances", "instances", "none", "none", []) { LoadedAt = Clock.GetUtcNow() };
                return (null, [], new SignatureIndex([.. instances.Signatures.Select(s => Loader.Initialize(s.Signature, s.Config, info))]));

            default:
                throw new ArgumentOutOfRangeException(nameof(signatures));
        }
    }

    public void Dispose()
    {
        Plugins?.Dispose();
        foreach (LoadedPlugin plugin in _ownPlugins)
        {
            plugin.Dispose();
        }

        Forwarder?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Findings.Dispose();
    }
}
