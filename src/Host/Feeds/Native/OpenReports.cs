using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// Turns the notification events of watched files into one report per open, with the open's access mode. Detection
/// never holds the opener, so the flags are not read from the open call: they follow from what the kernel reports
/// after it. <c>FAN_ACCESS</c> (a read) or <c>FAN_CLOSE_NOWRITE</c> (closed, opened without write access) mean the
/// file was opened for reading; <c>FAN_MODIFY</c> or <c>FAN_CLOSE_WRITE</c> mean it was opened for writing; both
/// give <c>O_RDWR</c>. An open is reported at its first such event; its later reads and writes are not, until its
/// close. The kernel merges the events of one process on one file while they wait in its queue, so opens that one
/// process makes of one file before the probe reads them are one report. Used by one thread.
/// </summary>
internal sealed class OpenReports(int capacity = OpenReports.DefaultCapacity)
{
    /// <summary>Opens reported and not yet closed that are remembered (a forgotten one may be reported again).</summary>
    public const int DefaultCapacity = 16_384;

    public const ulong Mask = Linux.FanAccess | Linux.FanModify | Linux.FanCloseWrite | Linux.FanCloseNowrite;

    private const ulong Reads = Linux.FanAccess | Linux.FanCloseNowrite;
    private const ulong Writes = Linux.FanModify | Linux.FanCloseWrite;
    private const ulong Closes = Linux.FanCloseWrite | Linux.FanCloseNowrite;

    // Keyed by the process and a hash of the path's bytes: 16 bytes an entry whatever the path's length.
    private readonly Collections.BoundedMap<(int Pid, ulong Path), bool> _reported = new(capacity);

    /// <summary>Opens reported and not yet closed, remembered now.</summary>
    public int Open => _reported.Count;

    /// <summary>The open flags to report for an event of <paramref name="pid"/> on a file, or null when it needs no report.</summary>
    public int? Next(int pid, ulong pathHash, ulong mask)
    {
        if ((mask & Mask) == 0)
        {
            return null;
        }

        var key = (pid, pathHash);
        bool reported = (mask & Closes) != 0 ? _reported.Remove(key, out _) : !TryAdd(key);
        if (reported)
        {
            return null;
        }

        bool reads = (mask & Reads) != 0;
        bool writes = (mask & Writes) != 0;
        return reads && writes ? OpenFlags.ReadWrite : writes ? OpenFlags.WriteOnly : OpenFlags.ReadOnly;
    }

    private bool TryAdd((int, ulong) key)
    {
        if (_reported.ContainsKey(key))
        {
            return false;
        }

        _reported.Set(key, true);
        return true;
    }
}
