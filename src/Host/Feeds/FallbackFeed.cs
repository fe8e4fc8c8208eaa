using Microsoft.Extensions.Logging;
using Sigs.Host.Contract;

namespace Sigs.Host.Feeds;

/// <summary>
/// A sensor feed with a stand-in (<c>fallback: native</c>): while the sensor has been disconnected for longer
/// than the grace period, the fallback feed runs too, so detection continues; once the sensor is connected
/// again, the fallback stops. Each switch is logged once and counted. The two never run together for longer
/// than one check interval, so the overlap adds no duplicate beyond what both sources saw in that moment.
/// </summary>
internal sealed partial class FallbackFeed(IEventFeed sensor, Func<FeedCounters, IEventFeed> createFallback, TimeSpan grace, ILogger logger, TimeSpan? checkInterval = null, TimeProvider? clock = null) : IEventFeed
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(10);

    private long _switches;
    private volatile IEventFeed? _active;

    public string Name => sensor.Name;

    public FeedCounters Counters => sensor.Counters;

    /// <summary>What the fallback did, over all the times it ran.</summary>
    public FeedCounters FallbackCounters { get; } = new();

    /// <summary>The sensor's counts, and the fallback's (over all the times it ran) as "NAME fallback".</summary>
    public IReadOnlyList<(string Feed, FeedCounters Counters)> CounterSets => [(Name, Counters), ($"{Name} fallback", FallbackCounters)];

    /// <summary>The fallback feed while it runs.</summary>
    public IEventFeed? Active => _active;

    /// <summary>Switches to the fallback and back so far.</summary>
    public long Switches => Interlocked.Read(ref _switches);

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        ShowState();
        Task sensorRun = sensor.RunAsync(sink, cancellationToken);
        using var timer = new PeriodicTimer(checkInterval ?? TimeSpan.FromMilliseconds(250), _clock);
        long? downSince = null;
        CancellationTokenSource? stopFallback = null;
        Task fallbackRun = Task.CompletedTask;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (sensor.Counters.Connected)
                {
                    downSince = null;
                    if (stopFallback is not null)
                    {
                        await StopAsync(stopFallback, fallbackRun).ConfigureAwait(false);
                        stopFallback = null;
                        LogBack(logger, sensor.Name);
                    }
                }
                else if ((downSince ??= _clock.GetTimestamp()) is long since
                    && stopFallback is null
                    && _clock.GetElapsedTime(since) >= grace)
                {
                    (stopFallback, fallbackRun) = Start(sink, cancellationToken);
                    LogTakingOver(logger, sensor.Name, grace.TotalSeconds, _active!.Name);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            if (stopFallback is not null)
            {
                await StopAsync(stopFallback, fallbackRun).ConfigureAwait(false);
            }

            await sensorRun.ConfigureAwait(false);
        }
    }

    private (CancellationTokenSource Stop, Task Run) Start(IEventSink sink, CancellationToken cancellationToken)
    {
        IEventFeed fallback = createFallback(FallbackCounters);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _active = fallback;
        Interlocked.Increment(ref _switches);
        ShowState();
        return (stop, RunFallbackAsync(fallback, sink, stop.Token));
    }

    private async Task RunFallbackAsync(IEventFeed fallback, IEventSink sink, CancellationToken cancellationToken)
    {
        try
        {
            await fallback.RunAsync(sink, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception ex)
        {
            LogFallbackFailed(logger, fallback.Name, sensor.Name, ex.Message);
        }
        finally
        {
            (fallback as IDisposable)?.Dispose();
        }
    }

    private async Task StopAsync(CancellationTokenSource stop, Task run)
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await run.ConfigureAwait(false);
        stop.Dispose();
        _active = null;
        Interlocked.Increment(ref _switches);
        ShowState();
    }

    /// <summary>Whether the fallback runs, and how often it switched, as the sensor feed's gauges.</summary>
    private void ShowState()
    {
        Counters.SetGauge(FeedGauge.FallbackActive, _active is null ? 0 : 1);
        Counters.SetGauge(FeedGauge.FallbackSwitches, Switches);
    }
}
