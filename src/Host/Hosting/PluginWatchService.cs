using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sigs.Host.Loading;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Hosting;

/// <summary>
/// Watches the plugin folder (<c>plugins.watch</c>): a plugin copied in is loaded, one replaced in place is
/// swapped, one removed is unloaded, without a restart. The folder is scanned every quarter second (polling
/// also works where file notifications do not, such as mounted ConfigMaps), so a stable copy is receiving events
/// well within two seconds. Each swap is published on the engine thread between two events, so no event is lost
/// or delivered twice across it; retired plugins are then disposed, unloaded, and checked for collection.
/// </summary>
internal sealed partial class PluginWatchService(DetectionPipeline runtime, DetectionService detection, ILogger logger) : BackgroundService
{
    public static readonly TimeSpan ScanInterval = TimeSpan.FromMilliseconds(250);

    private readonly PluginManager _plugins = runtime.Plugins ?? throw new ArgumentException("the pipeline does not load a plugin folder", nameof(runtime));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ScanInterval, runtime.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await ScanOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stop requested.
        }
    }

    private async Task ScanOnceAsync(CancellationToken stoppingToken)
    {
        await ReloadRulesAsync(stoppingToken).ConfigureAwait(false);
        PluginSwap? swap;
        try
        {
            swap = _plugins.Rescan();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogScanFailed(logger, _plugins.Folder, ex.Message);
            return;
        }

        if (swap is null)
        {
            return;
        }

        LogSwapped(logger, swap.Index.Runners.Count, string.Join(", ", swap.Added), swap.Retired.Count);
        List<(WeakReference Context, string Name)> unloaded = await ApplyAsync(swap, stoppingToken).ConfigureAwait(false);

        // Only weak references to the retired plugins may outlive the swap, or they could never be collected.
        swap = null;
        foreach ((WeakReference context, string name) in unloaded)
        {
            await runtime.UnloadVerifier.VerifyAsync(context, name).ConfigureAwait(false);
        }
    }

    /// <summary>Rule files changed: all rules are loaded again and published at once, on the engine thread; the old ones are disposed.</summary>
    private async Task ReloadRulesAsync(CancellationToken stoppingToken)
    {
        if (runtime.ReloadRulesIfChanged() is not { } retired)
        {
            return;
        }

        Engine.SignatureIndex index = _plugins.BuildIndex();
        await detection.RunOnEngineThreadAsync(() =>
        {
            runtime.Publish(index);
            foreach (Engine.SignatureRunner runner in retired)
            {
                runner.Retire();
            }
        }, stoppingToken).ConfigureAwait(false);
        LogRulesReloaded(logger, runtime.RuleCounts.Loaded, runtime.RuleCounts.Refused);
    }

    /// <summary>Publishes the new index and unloads the retired plugins, on the engine thread.</summary>
    private async Task<List<(WeakReference Context, string Name)>> ApplyAsync(PluginSwap swap, CancellationToken stoppingToken)
    {
        var unloaded = new List<(WeakReference Context, string Name)>();
        await detection.RunOnEngineThreadAsync(() =>
        {
            runtime.Publish(swap.Index);
            foreach (LoadedPlugin retired in swap.Retired)
            {
                unloaded.Add((retired.Unload(), retired.Info.AssemblyPath));
            }
        }, stoppingToken).ConfigureAwait(false);
        return unloaded;
    }
}
