using Microsoft.Extensions.Logging;

namespace Sigs.Host.Engine;

/// <summary>
/// Checks a few times per stall period whether one signature call has stopped making progress. It also asks every
/// runner to time its next call (the latency samples). When the engine gives a stuck call up
/// (<see cref="DetectionEngine.TryTakeOver"/>), the stuck runner is isolated and <paramref name="takeOver"/> starts a
/// new engine loop.
/// </summary>
internal sealed partial class EngineWatchdog(DetectionEngine engine, TimeSpan stall, TimeProvider clock, ILogger logger, Action takeOver)
{
    public async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(stall / 4, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                Check();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Check()
    {
        foreach (SignatureRunner runner in engine.Index.Runners)
        {
            runner.RequestSample();
        }

        if (engine.TryTakeOver(stall, clock, out SignatureRunner? stuck))
        {
            LogTakeover(logger, stuck!.Metadata.Id, stall.TotalMilliseconds);
            takeOver();
        }
    }
}
