using Microsoft.Extensions.Logging;

namespace Sigs.Host.Loading;

/// <summary>
/// Checks that an unloaded plugin's load context is really collected. A context that survives repeated
/// collections is still referenced (for example by a static event handler the plugin left on a host object):
/// its memory stays in use until Sigs restarts, so it is logged and counted.
/// </summary>
internal static partial class UnloadVerifier
{
    private static long _leaks;

    /// <summary>Unloaded plugins whose load context was not collected.</summary>
    public static long Leaks => Interlocked.Read(ref _leaks);

    public static async Task<bool> VerifyAsync(WeakReference context, string plugin, ILogger logger, int attempts = 20)
    {
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (!context.IsAlive)
            {
                LogCollected(logger, plugin);
                return true;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _leaks);
        LogLeaked(logger, plugin);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {Plugin} unloaded and collected")]
    private static partial void LogCollected(ILogger logger, string plugin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {Plugin} was unloaded but its load context was not collected: something still references it (for example a static event handler); its memory stays in use until Sigs restarts")]
    private static partial void LogLeaked(ILogger logger, string plugin);
}
