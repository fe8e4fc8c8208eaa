using Microsoft.Extensions.Logging;
using Sigs.Host.Common;

namespace Sigs.Host.Feeds;

/// <summary>
/// Keeps a network feed connected: runs one session after another until cancelled, waiting with backoff
/// between failures. Each state change (connected, lost) is logged once, not once per retry.
/// </summary>
internal sealed partial class ReconnectLoop(string feedName, FeedCounters counters, ILogger logger, TimeSpan initialDelay, TimeSpan maximumDelay, TimeProvider clock)
{
    private bool _lost;
    private int _failedAttempts;

    /// <summary>
    /// Runs <paramref name="session"/> repeatedly. A session calls its argument once it is connected, then runs
    /// until its stream ends or fails.
    /// </summary>
    public async Task RunAsync(Func<Action, CancellationToken, Task> session, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(initialDelay, maximumDelay);
        while (!cancellationToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                await session(() => OnConnected(backoff), cancellationToken).ConfigureAwait(false);
                reason = "the sensor closed the stream";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                reason = ex.Message;
            }

            OnLost(reason);
            try
            {
                await Task.Delay(backoff.Next(), clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        counters.SetConnected(false);
    }

    private void OnConnected(Backoff backoff)
    {
        backoff.Reset();
        counters.SetConnected(true);
        if (_lost)
        {
            counters.CountReconnect();
            LogReconnected(logger, feedName, _failedAttempts);
        }
        else
        {
            LogConnected(logger, feedName);
        }

        _lost = false;
        _failedAttempts = 0;
    }

    private void OnLost(string reason)
    {
        bool wasConnected = counters.Connected;
        counters.SetConnected(false);
        _failedAttempts++;
        if (wasConnected || !_lost)
        {
            LogLost(logger, feedName, reason);
        }

        _lost = true;
    }
}
