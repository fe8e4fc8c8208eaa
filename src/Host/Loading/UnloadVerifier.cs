using Microsoft.Extensions.Logging;
using Sigs.Host.Common;

namespace Sigs.Host.Loading;

/// <summary>
/// Checks that an unloaded plugin's load context is really collected. A context that survives repeated
/// collections is still referenced (for example by a static event handler the plugin left on a host object):
/// its memory stays in use until Sigs restarts, so it is logged and counted.
/// </summary>
internal sealed partial class UnloadVerifier(ILogger logger, TimeProvider clock)
{
    private readonly RecordedCount _leaks = new();

    /// <summary>Unloaded plugins whose load context was not collected.</summary>
    /// <summary>Records leaks on the host's instruments from now on.</summary>
    public void Attach(SigsInstruments instruments) => _leaks.Attach(instruments, instruments.UnloadLeaks);

    public long Leaks => _leaks.Value;

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

        _leaks.Add();
        LogLeaked(logger, plugin);
        return false;
    }
}
