using System.Diagnostics;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// The kernel's monotonic clock (<c>CLOCK_MONOTONIC</c>) in nanoseconds, which the process connector and the
/// file readers compare to order what they saw. Not a <see cref="TimeProvider"/>: only the kernel's own clock can be
/// compared with when the kernel queued something.
/// </summary>
internal static class Monotonic
{
    // .NET reads CLOCK_MONOTONIC on Linux; its frequency there is 1 GHz, scaled here in case it is not.
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    public static long Now() => Stopwatch.Frequency == 1_000_000_000 ? Stopwatch.GetTimestamp() : (long)(Stopwatch.GetTimestamp() * NanosecondsPerTick);
}
