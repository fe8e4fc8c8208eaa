using Microsoft.Extensions.Logging;

namespace Sigs.Host.Loading;

/// <summary>
/// Checks that an unloaded plugin's load context is really collected. A context that survives repeated
/// collections is still referenced (for example by a static event handler the plugin left on a host object):
/// its memory stays in use until Sigs restarts, so it is logged and counted.
/// </summary>
internal sealed partial class UnloadVerifier(ILogger logger, TimeProvider clock)
{
    private long _leaks;

    /// <summary>Unloaded plugins whose load context was not collected.</summary>
    public long Leaks => Interlocked.Read(ref _leaks);

    public async Task<bool> VerifyAsync(WeakReference context, string plugin, int attempts = 20)
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

            await Task.Delay(TimeSpan.FromMilliseconds(100), clock).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _leaks);
        LogLeaked(logger, plugin);
        return false;
    }
}
