using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Host.Engine;
using Sigs.Host.Feeds;
using Sigs.Host.Hosting;
using Sigs.Host.Outputs;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Admin;

/// <summary>
/// The admin endpoint: <c>/healthz</c> (200 when the engine runs, every feed is connected, signatures are loaded
/// and none were lost, and the plugin folder can be scanned; else 503 with reasons), <c>/plugins</c> (JSON) and <c>/metrics</c> (Prometheus text). Read-only; bind it to loopback.
/// </summary>
internal sealed partial class AdminService(Uri listen, WebAccess access, DetectionPipeline runtime, DetectionService detection, ILogger logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address Kestrel bound, once listening.</summary>
    public Uri? BoundAddress { get; private set; }

    /// <summary>Binds at start, so a taken port stops <c>sigs run</c> with a clear error instead of running blind.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        access.WarnIfExposed(listen, "Admin endpoint", logger);
        WebApplication app = LoopbackWebApp.Create(listen, access);
        _app = app;
        app.MapGet("/healthz", Health);
        app.MapGet("/plugins", () => Results.Text(JsonSerializer.Serialize(PluginReport(), ContractJson.Options), "application/json"));
        app.MapGet("/metrics", () => Results.Text(Metrics(), "text/plain; version=0.0.4; charset=utf-8"));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new IOException($"admin endpoint cannot listen on {listen}: {ex.Message}", ex);
        }

        BoundAddress = LoopbackWebApp.BoundAddress(app);
        LogListening(logger, BoundAddress);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;

    private IResult Health()
    {
        var problems = new List<string>();
        if (!detection.Running)
        {
            problems.Add("engine is not running");
        }

        problems.AddRange(detection.Feeds.Where(feed => !feed.Counters.Connected).Select(feed => $"feed {feed.Name} is not connected"));
        int active = runtime.Engine.Index.Runners.Count;
        if (active == 0)
        {
            problems.Add("no signatures are loaded");
        }
        else if (active < (runtime.Plugins?.PeakSignatures ?? active))
        {
            problems.Add($"{active} signatures are loaded, {(runtime.Plugins?.PeakSignatures ?? active)} were: some were removed or refused (restart to accept fewer)");
        }

        if (runtime.Plugins?.FolderProblem is { } folderProblem)
        {
            problems.Add($"plugins: {folderProblem}");
        }
        return problems.Count == 0
            ? Results.Text("ok\n")
            : Results.Text(string.Join('\n', problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private object[] PluginReport() =>
        [.. runtime.Engine.Index.Runners.GroupBy(r => r.Plugin).Select(plugin => new
        {
            plugin.Key.Name,
            File = plugin.Key.AssemblyPath,
            plugin.Key.Sha256,
            Pin = new { Sha256 = plugin.Key.ContentSha256, plugin.Key.Files },
            plugin.Key.LoadedAt,
            Signatures = plugin.Select(r => new
            {
                r.Metadata.Id,
                r.Metadata.Name,
                r.Metadata.Version,
                State = r.State.ToString().ToLowerInvariant(),
                r.Events,
                r.Findings,
                r.Faults,
                r.Skipped,
                r.Dropped,
                P50Microseconds = r.Latency?.P50,
                P99Microseconds = r.Latency?.P99,
            }),
        })];

    private string Metrics()
    {
        var text = new PrometheusText();
        text.Family("sigs_events_total", "counter", "Events received, by feed and event name.");
        foreach ((string feed, FeedCounters counters) in CounterSets())
        {
            foreach ((string name, long count) in counters.EventsByName)
            {
                text.Sample("sigs_events_total", count, ("feed", feed), ("event", name));
            }
        }

        foreach (FeedGauge gauge in Enum.GetValues<FeedGauge>())
        {
            (string name, string type, string help) = FeedGauges.Describe(gauge);
            text.Family(name, type, help);
            foreach ((string feed, FeedCounters counters) in CounterSets())
            {
                if (counters.Gauges.TryGetValue(gauge, out long value))
                {
                    text.Sample(name, value, ("feed", feed));
                }
            }
        }

        text.Family("sigs_argument_forms_unknown_total", "counter", "Sensor arguments in a form Sigs does not understand (that part of the event unknown), by source and argument.");
        foreach (((string source, string argument), long count) in ArgumentForms.Unknown)
        {
            text.Sample("sigs_argument_forms_unknown_total", count, ("source", source), ("argument", argument));
        }

        text.Family("sigs_input_invalid_utf8_total", "counter", "JSON inputs with bytes that are not UTF-8, decoded with U+FFFD in their place.");
        text.Sample("sigs_input_invalid_utf8_total", InvalidUtf8.Repaired);

        text.Family("sigs_feed_connected", "gauge", "1 while the feed is connected to its sensor (or listening).");
        FeedSamples(text, "sigs_feed_connected", c => c.Connected ? 1 : 0);
        text.Family("sigs_feed_reconnects_total", "counter", "Times a feed got its connection back after losing it.");
        FeedSamples(text, "sigs_feed_reconnects_total", c => c.Reconnects);
        text.Family("sigs_drops_total", "counter", "Inputs or events dropped, by stage.");
        foreach (IEventFeed feed in detection.Feeds)
        {
            text.Sample("sigs_drops_total", feed.Counters.DecodeErrors, ("stage", "decode"), ("feed", feed.Name));
            text.Sample("sigs_drops_total", feed.Counters.Rejected, ("stage", "receive"), ("feed", feed.Name));
        }

        text.Sample("sigs_drops_total", runtime.Processes.Evictions, ("stage", "process_table"));
        text.Sample("sigs_drops_total", runtime.Findings.OutputFailures, ("stage", "output"));
        IFindingOutput[] delivering = [.. runtime.Findings.Outputs.Where(o => o.Deliveries is not null)];
        foreach (IFindingOutput output in delivering)
        {
            text.Sample("sigs_drops_total", output.Deliveries!.Dropped, ("stage", "delivery"), ("output", output.Name));
        }
        IReadOnlyList<SignatureRunner> runners = runtime.Engine.Index.Runners;
        foreach (SignatureRunner runner in runners)
        {
            text.Sample("sigs_drops_total", runner.Skipped, ("stage", "quarantine"), ("signature", runner.Metadata.Id));
            text.Sample("sigs_drops_total", runner.Dropped, ("stage", "isolated_queue"), ("signature", runner.Metadata.Id));
        }

        text.Family("sigs_output_delivered_total", "counter", "Findings a delivering output (http) had acknowledged, by output.");
        text.Family("sigs_output_retries_total", "counter", "Delivery attempts that failed and were retried, by output.");
        text.Family("sigs_output_queue_length", "gauge", "Findings waiting for delivery, by output.");
        text.Family("sigs_output_spooled", "gauge", "Findings kept in the output's spool folder now, by output.");
        foreach (IFindingOutput output in delivering)
        {
            DeliveryCounts counts = output.Deliveries!;
            text.Sample("sigs_output_delivered_total", counts.Delivered, ("output", output.Name));
            text.Sample("sigs_output_retries_total", counts.Retries, ("output", output.Name));
            text.Sample("sigs_output_queue_length", counts.Queued, ("output", output.Name));
            text.Sample("sigs_output_spooled", counts.Spooled, ("output", output.Name));
        }

        text.Family("sigs_plugin_refusals_total", "counter", "Plugins and signatures refused at load, and dependencies refused later, by kind.");
        text.Sample("sigs_plugin_refusals_total", runtime.Loader.RefusedPlugins, ("kind", "plugin"));
        text.Sample("sigs_plugin_refusals_total", runtime.Loader.RefusedDependencies, ("kind", "dependency"));

        text.Family("sigs_plugin_unload_leaks_total", "counter", "Unloaded plugins whose load context was not collected.");
        text.Sample("sigs_plugin_unload_leaks_total", runtime.UnloadVerifier.Leaks);

        text.Family("sigs_engine_events_total", "counter", "Events run through the engine.");
        text.Sample("sigs_engine_events_total", runtime.EventsProcessed);
        text.Family("sigs_engine_queue_length", "gauge", "Events waiting for the engine.");
        text.Sample("sigs_engine_queue_length", detection.Queued);
        text.Family("sigs_findings_total", "counter", "Findings, by signature.");
        RunnerSamples(text, runners, "sigs_findings_total", r => r.Findings);
        text.Family("sigs_signature_events_total", "counter", "Events delivered to each signature.");
        RunnerSamples(text, runners, "sigs_signature_events_total", r => r.Events);
        text.Family("sigs_signature_faults_total", "counter", "Exceptions thrown by each signature.");
        RunnerSamples(text, runners, "sigs_signature_faults_total", r => r.Faults);
        text.Family("sigs_signature_state", "gauge", "1 for each signature's current state.");
        foreach (SignatureRunner runner in runners)
        {
            foreach (SignatureState state in Enum.GetValues<SignatureState>())
            {
                text.Sample("sigs_signature_state", runner.State == state ? 1 : 0, ("signature", runner.Metadata.Id), ("state", state.ToString().ToLowerInvariant()));
            }
        }

        return text.ToString();
    }

    private void FeedSamples(PrometheusText text, string name, Func<FeedCounters, double> value)
    {
        foreach (IEventFeed feed in detection.Feeds)
        {
            text.Sample(name, value(feed.Counters), ("feed", feed.Name));
        }
    }

    private IEnumerable<(string Feed, FeedCounters Counters)> CounterSets() => detection.Feeds.SelectMany(feed => feed.CounterSets);

    private static void RunnerSamples(PrometheusText text, IReadOnlyList<SignatureRunner> runners, string name, Func<SignatureRunner, double> value)
    {
        foreach (SignatureRunner runner in runners)
        {
            text.Sample(name, value(runner), ("signature", runner.Metadata.Id));
        }
    }
}
