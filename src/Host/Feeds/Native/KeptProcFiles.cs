using System.Text;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// Open descriptors of one small /proc file (<c>/proc/PID/syscall</c>, <c>/proc/PID/comm</c>) for the processes
/// (or threads: <c>/proc/TID</c> names one too) that opened watched files most recently, so reading it for a blocked
/// opener costs one <c>pread</c> instead of a path lookup, open and close. A descriptor stays bound to its process
/// (across exec, which is what the reader wants to see): once that process has exited, reading it fails, and the
/// pid's file is opened again (a new process with the same pid gets its own). Bounded, oldest closed first. One
/// thread only.
/// </summary>
internal sealed class KeptProcFiles(string name, int capacity = 64) : IDisposable
{
    private readonly Dictionary<int, int> _fdByPid = [];
    private readonly Queue<int> _order = new();

    /// <summary>The file's text for <paramref name="pid"/>, or null when the process is gone or it cannot be read.</summary>
    public string? Read(int pid) => Read(pid, out _);

    /// <summary>
    /// As <see cref="Read(int)"/>; <paramref name="sameProcess"/> tells that the text came through a descriptor opened
    /// at an earlier read, so from the same process as then (not a new one that got its pid).
    /// </summary>
    public string? Read(int pid, out bool sameProcess)
    {
        Span<byte> buffer = stackalloc byte[1024];
        sameProcess = false;
        if (_fdByPid.TryGetValue(pid, out int kept))
        {
            int read = ReadAt(kept, buffer);
            if (read > 0)
            {
                sameProcess = true;
                return Encoding.UTF8.GetString(buffer[..read]);
            }

            Forget(pid);
        }

        int fd = Open(pid);
        if (fd < 0)
        {
            return null;
        }

        int length = ReadAt(fd, buffer);
        if (length <= 0)
        {
            Linux.close(fd);
            return null;
        }

        Keep(pid, fd);
        return Encoding.UTF8.GetString(buffer[..length]);
    }

    public int Count => _fdByPid.Count;

    public void Dispose()
    {
        foreach (int fd in _fdByPid.Values)
        {
            Linux.close(fd);
        }

        _fdByPid.Clear();
        _order.Clear();
    }

    private void Keep(int pid, int fd)
    {
        _fdByPid[pid] = fd;
        _order.Enqueue(pid);
        while (_order.Count > capacity && _order.TryDequeue(out int oldest))
        {
            Forget(oldest);
        }
    }

    private void Forget(int pid)
    {
        if (_fdByPid.Remove(pid, out int fd))
        {
            Linux.close(fd);
        }
    }

    private unsafe int Open(int pid)
    {
        Span<byte> path = stackalloc byte[64];
        int length = Encoding.ASCII.GetBytes($"/proc/{pid}/{name}", path);
        path[length] = 0;
        fixed (byte* bytes = path)
        {
            return Linux.open(bytes, Linux.OCloexec, 0);
        }
    }

    private static unsafe int ReadAt(int fd, Span<byte> buffer)
    {
        fixed (byte* bytes = buffer)
        {
            return (int)Linux.pread(fd, bytes, buffer.Length, 0);
        }
    }
}
