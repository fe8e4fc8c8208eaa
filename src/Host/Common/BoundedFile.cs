using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Sigs.Host.Common;

/// <summary>
/// Reads a small file that configures Sigs (the configuration, a secret): it must be a regular file (a symbolic link
/// to one is fine: Kubernetes mounts ConfigMaps and Secrets that way) of at most a given size. A FIFO, a device such
/// as <c>/dev/zero</c>, a directory or a larger file is refused with an <see cref="IOException"/> saying which,
/// without reading on or waiting: the file is opened non-blocking (a FIFO opens at once) and checked with
/// <c>statx</c> on the opened descriptor, so what is checked is what is read.
/// </summary>
internal static partial class BoundedFile
{
    private const int OReadOnly = 0;
    private const int ONonBlock = 0x800;
    private const int OCloexec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const ushort TypeMask = 0xF000;
    private const ushort Regular = 0x8000;

    /// <exception cref="IOException">Not there, not readable, not a regular file, or larger than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="UnauthorizedAccessException">Not readable by Sigs.</exception>
    public static string ReadText(string path, int maxBytes)
    {
        using SafeFileHandle file = Open(path);
        byte[] buffer = new byte[maxBytes + 1];
        int total = 0;
        using (var stream = new FileStream(file, FileAccess.Read, bufferSize: 0))
        {
            while (total < buffer.Length && stream.Read(buffer, total, buffer.Length - total) is int read and > 0)
            {
                total += read;
            }
        }

        return total > maxBytes
            ? throw new IOException($"larger than {maxBytes:N0} bytes")
            : Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static unsafe SafeFileHandle Open(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileInfo(path) is { Exists: true, Attributes: var attributes } && (attributes & (FileAttributes.Directory | FileAttributes.Device)) == 0
                ? File.OpenHandle(path)
                : throw new IOException("not a regular file");
        }

        int fd;
        fixed (byte* name = Encoding.UTF8.GetBytes(path + "\0"))
        {
            fd = open(name, OReadOnly | ONonBlock | OCloexec, 0);
        }

        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno == 13 ? new UnauthorizedAccessException("permission denied") : new IOException(errno == 2 ? "no such file" : $"cannot open it (errno {errno})");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        byte* status = stackalloc byte[256];
        byte empty = 0;
        // struct statx: stx_mode (u16) at offset 28.
        if (statx(fd, &empty, AtEmptyPath, StatxType, status) != 0 || (*(ushort*)(status + 28) & TypeMask) != Regular)
        {
            handle.Dispose();
            throw new IOException($"not a regular file ({Kind(*(ushort*)(status + 28))})");
        }

        return handle;
    }

    private static string Kind(ushort mode) => (mode & TypeMask) switch
    {
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x4000 => "a directory",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => "unknown type",
    };

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int open(byte* path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int statx(int directory, byte* path, int flags, uint mask, byte* buffer);
}
