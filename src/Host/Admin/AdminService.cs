using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Host.Feeds;
using Sigs.Host.Hosting;
using Sigs.Host.Pipeline;
using OpenTelemetry.Metrics;

namespace Sigs.Host.Admin;

/// <summary>
/// The admin endpoint: <c>/healthz</c> and <c>/readyz</c> (readiness: 200 when the engine runs, every feed is
/// connected, signatures are loaded and none were lost, and the plugin folder can be scanned; else 503 with reasons;
/// with rule folders, a last line counts the Sigma rules loaded and refused), <c>/livez</c> (liveness: the engine
/// loop runs), <c>/plugins</c> (JSON) and
/// <c>/metrics</c> (the <see cref="SigsMeter"/>'s instruments, rendered by OpenTelemetry's Prometheus exporter),
/// and with <c>admin.events: true</c> <c>/events</c> (<see cref="EventStream"/>). Read-only; bind it to loopback.
/// </summary>
/// <param name="metrics">The meter provider /metrics renders (<see cref="PrometheusMetrics"/>), made before anything counted.</param>
internal sealed partial class AdminService(Uri listen, WebAccess access, DetectionPipeline runtime, DetectionService detection, MeterProvider metrics, ILogger logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address Kestrel bound, once listening.</summary>
    public Uri? BoundAddress { get; private set; }

    /// <summary>Binds at start, so a taken port stops <c>sigs run</c> with a clear error instead of running blind.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        access.WarnIfExposed(listen, "Admin endpoint", logger);
        // /healthz says only whether detection runs and why not; everything else needs the token.
        WebApplication app = LoopbackWebApp.Create(listen, access.WithoutTokenFor("/healthz", "/livez", "/readyz"));
        _app = app;
        app.MapGet("/healthz", Health);
        app.MapGet("/readyz", Health);
        app.MapGet("/livez", Live);
        app.MapGet("/plugins", () => Results.Text(JsonSerializer.Serialize(PluginReport(), ContractJson.Options), "application/json"));
        app.MapPrometheusScrapingEndpoint("/metrics", metrics, configureBranchedPipeline: null, optionsName: null);
        if (runtime.Config.Admin.Events)
        {
            app.MapGet("/events", (HttpContext http) => EventStream.ServeAsync(http, runtime.Mirror, logger));
        }
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new IOException($"admin endpoint cannot listen on {listen}: {ex.Message}", ex);
        }

        BoundAddress = LoopbackWebApp.BoundAddress(app);
        LogListening(logger, BoundAddress, runtime.Config.Admin.Events ? ", /events" : string.Empty);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>
    /// Liveness: the engine loop runs. A stuck signature is isolated by the engine's watchdog and the loop goes on,
    /// so only a process that cannot detect at all fails this; degraded detection is readiness's to say.
    /// </summary>
    private IResult Live() => detection.Running
        ? Results.Text("ok\n")
        : Results.Text("engine is not running\n", statusCode: StatusCodes.Status503ServiceUnavailable);

    private IResult Health()
    {
        var problems = new List<string>();
        if (!detection.Running)
        {
            problems.Add("engine is not running");
        }

        problems.AddRange(detection.Feeds.Where(feed => !feed.Counters.Connected).Select(feed => $"feed {NamedFeed.Describe(feed)} is not connected"));
        problems.AddRange(detection.Feeds.Where(feed => feed.Counters.Degraded is not null).Select(feed => $"feed {NamedFeed.Describe(feed)}: {feed.Counters.Degraded}"));
        problems.AddRange((runtime.Forwarder?.Publishers ?? []).Where(f => !f.Counts.Delivering).Select(f => $"forward {f.Name} cannot deliver: {f.Counts.Spooled} batches wait in its spool"));
        problems.AddRange((runtime.Forwarder?.Publishers ?? []).Where(f => f.Counts.SpoolProblem is not null).Select(f => $"forward {f.Name}: spool: {f.Counts.SpoolProblem}"));
        problems.AddRange(runtime.Findings.Outputs.Where(o => o.Deliveries?.Problem is not null).Select(o => $"output {o.Name}: {o.Deliveries!.Problem}"));
        if (runtime.Findings.Problem is { } findingsProblem)
        {
            problems.Add(findingsProblem);
        }

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

        // Refused rules are counted, not a failure: a shared rule folder holds rules for other feeds, and the
        // public libraries hold rules no Linux feed can fill. The log names each one.
        string rules = runtime.Rules is { Configured: true } ? $"rules: {runtime.RuleCounts.Loaded} loaded, {runtime.RuleCounts.Refused} refused\n" : string.Empty;
        return problems.Count == 0
            ? Results.Text("ok\n" + rules)
            : Results.Text(string.Join('\n', problems) + "\n" + rules, statusCode: StatusCodes.Status503ServiceUnavailable);
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
}
