using System.Runtime.InteropServices;

namespace Sigs.Host.Common;

/// <summary>The few libc calls that more than one part of Sigs makes on Linux: open, read and close of raw descriptors.</summary>
internal static unsafe partial class LibC
{
    public const int OCloexec = 0x80000;

    /// <summary>Reads a small file (a /proc entry) into <paramref name="buffer"/>; the byte count, or -1.</summary>
    public static int ReadSmallFile(ReadOnlySpan<byte> nullTerminatedPath, Span<byte> buffer)
    {
        fixed (byte* path = nullTerminatedPath)
        {
            int fd = open(path, OCloexec, 0);
            if (fd < 0)
            {
                return -1;
            }

            try
            {
                fixed (byte* bytes = buffer)
                {
                    return (int)read(fd, bytes, buffer.Length);
                }
            }
            finally
            {
                close(fd);
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open(byte* path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);
}
