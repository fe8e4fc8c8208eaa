using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds;

/// <summary>
/// Counts a feed's decode errors and logs them: each of the first ten, then every thousandth, so a sensor
/// sending garbage cannot flood the log while every error is still counted.
/// </summary>
internal sealed partial class DecodeErrorLog(string feedName, FeedCounters counters, ILogger logger)
{
    public void Report(string reason)
    {
        counters.CountDecodeError();
        long count = counters.DecodeErrors;
        if (count <= 10 || count % 1000 == 0)
        {
            LogDecodeError(logger, feedName, count, reason);
        }
    }
}
