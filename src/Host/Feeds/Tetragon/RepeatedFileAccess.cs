using Sigs.Host.Collections;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tetragon;

/// <summary>
/// Collapses Tetragon's per-call file events into one per open-like access. <c>security_file_permission</c>, the
/// hook that carries the access mode (MAY_READ, MAY_WRITE), fires on every read and write: counted with strace
/// on a 1.6 KB PEM file, <c>cat</c> makes 2, <c>head</c> 1, <c>openssl x509 -in</c> 61; <c>sha256sum</c> of
/// 1 MB 32. The first access of a (process, file, mode) is passed on; repeats within <see cref="Window"/> of
/// it are dropped and counted; the next access after the window is passed on again and starts a new window.
/// The default window (1 s) holds one open's burst of reads, so a later open of the file by the same process
/// is seen again; a process reading a file without pause yields one event a second.
/// </summary>
/// <remarks>
/// Tetragon's own <c>rateLimit</c> on a Post action would do this in the kernel, but it compares only the first
/// 40 bytes of each argument: <c>/var/run/secrets/kubernetes.io/serviceaccount/token</c> and <c>.../ca.crt</c>
/// share them, so a token read would hide the next certificate read. Sigs compares the whole path. Bounded: the
/// oldest entry goes when full (a repeat of it is then passed on again). Not thread-safe: the feed's stream
/// reader owns it.
/// </remarks>
internal sealed class RepeatedFileAccess(TimeSpan window, int capacity = RepeatedFileAccess.DefaultCapacity)
{
    public const int DefaultCapacity = 65_536;

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(1);

    private readonly BoundedMap<Key, DateTimeOffset> _first = new(capacity);

    public TimeSpan Window { get; } = window;

    /// <summary>Repeats dropped so far.</summary>
    public long Collapsed { get; private set; }

    /// <summary>True when <paramref name="open"/> repeats an access passed on less than <see cref="Window"/> before it.</summary>
    public bool IsRepeat(SecurityEvent open)
    {
        if (Window <= TimeSpan.Zero || open.Process?.EntityId is not ulong entity || open.File is not { Path: { } path, Flags: int flags })
        {
            return false;
        }

        var key = new Key(entity, path, flags & OpenFlags.AccessModeMask);
        if (_first.TryGetValue(key, out DateTimeOffset first) && open.Time >= first && open.Time - first < Window)
        {
            Collapsed++;
            return true;
        }

        _first.Set(key, open.Time);
        return false;
    }

    private readonly record struct Key(ulong Entity, string Path, int Mode);
}
