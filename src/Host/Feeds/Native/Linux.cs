using Sigs.Host.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Sigs.Host.Feeds.Native;

/// <summary>A directory as the kernel knows it: its mount, its inode, whether it is that mount's root, and its filesystem's device.</summary>
internal readonly record struct DirectoryIdentity(ulong MountId, ulong Inode, bool IsMountRoot, ulong Device = 0);

/// <summary>The Linux system calls the native probe uses for files (fanotify, openat2, statx, handles).</summary>
internal static unsafe partial class Linux
{
    public const int AtFdCwd = -100;
    public const int OPath = 0x200000;
    public const int ODirectory = 0x10000;
    public const int OCloexec = 0x80000;
    public const int ONofollow = 0x20000;
    public const int OLargefile = 0x8000;

    // fanotify_init flags (linux/fanotify.h).
    public const uint FanCloexec = 0x1;
    public const uint FanNonblock = 0x2;
    public const uint FanClassNotif = 0x0;
    public const uint FanUnlimitedMarks = 0x20;
    public const uint FanReportFid = 0x200;
    public const uint FanReportDirFid = 0x400;
    public const uint FanReportName = 0x800;
    public const uint FanReportTargetFid = 0x1000;

    // fanotify_mark flags.
    public const uint FanMarkAdd = 0x1;
    public const uint FanMarkFilesystem = 0x100;

    // Event masks.
    public const ulong FanAccess = 0x1;
    public const ulong FanModify = 0x2;
    public const ulong FanCloseWrite = 0x8;
    public const ulong FanCloseNowrite = 0x10;
    public const ulong FanQueueOverflow = 0x4000;
    public const ulong FanEventOnChild = 0x08000000;
    public const ulong FanRename = 0x10000000;
    public const ulong FanOnDir = 0x40000000;

    // Info record types of groups that report directory handles and names.
    public const byte InfoFileHandle = 1;
    public const byte InfoOldDirectoryAndName = 10;
    public const byte InfoNewDirectoryAndName = 12;

    // openat2 resolve flags.
    public const ulong ResolveNoXdev = 0x01;
    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveBeneath = 0x08;
    public const ulong ResolveInRoot = 0x10;

    private const long SysOpenat2 = 437; // the same number on x86_64 and arm64
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;
    private const uint StatxMountId = 0x1000;
    private const ulong StatxAttrMountRoot = 0x2000;

    /// <summary>This process's <c>/proc/self/fd</c>, opened once and kept for the life of the process.</summary>
    private static readonly Lazy<int> OwnFdDirectory = new(() =>
    {
        fixed (byte* path = "/proc/self/fd\0"u8)
        {
            return LibC.open(path, OPath | ODirectory | OCloexec, 0);
        }
    });

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>openat2: opens <paramref name="path"/> below <paramref name="directory"/> with the given resolve rules; -1 on failure.</summary>
    public static int OpenAt2(int directory, string path, int flags, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)flags, Resolve = resolve };
        byte[] name = NullTerminated(path);
        fixed (byte* bytes = name)
        {
            return (int)syscall(SysOpenat2, directory, (nint)bytes, (nint)(&how), sizeof(OpenHow));
        }
    }

    /// <summary>Which mount and inode <paramref name="fd"/> refers to, and whether it is the root of that mount; null on failure.</summary>
    public static DirectoryIdentity? Identify(int fd)
    {
        byte* buffer = stackalloc byte[256];
        byte empty = 0;
        if (statx(fd, &empty, AtEmptyPath, StatxIno | StatxMountId, buffer) != 0)
        {
            return null;
        }

        // struct statx: stx_attributes (u64) at 8, stx_ino at 32, stx_attributes_mask at 56, stx_dev_major and
        // stx_dev_minor (u32) at 136 and 140, stx_mnt_id at 144.
        ulong attributes = *(ulong*)(buffer + 8);
        ulong known = *(ulong*)(buffer + 56);
        bool mountRoot = (known & StatxAttrMountRoot) != 0 && (attributes & StatxAttrMountRoot) != 0;
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        return new DirectoryIdentity(*(ulong*)(buffer + 144), *(ulong*)(buffer + 32), mountRoot, device);
    }

    /// <summary>
    /// The path the kernel gives for an open file descriptor, as its opener's mount namespace sees it. Read with
    /// <c>readlinkat</c> below a kept descriptor of <c>/proc/self/fd</c>: no walk of <c>/proc/self</c> per call
    /// (the permission reader's hot path; 3.7 -> 2.4 us).
    /// </summary>
    public static string? PathOf(int fd)
    {
        Span<byte> target = stackalloc byte[PathMax];
        int length = PathBytesOf(fd, target);
        return length <= 0 ? null : Encoding.UTF8.GetString(target[..length]);
    }

    /// <summary>The longest path the kernel gives (PATH_MAX).</summary>
    public const int PathMax = 4096;

    /// <summary>
    /// <see cref="PathOf"/> as the kernel's bytes, written to <paramref name="target"/> (<see cref="PathMax"/> bytes
    /// hold any); the byte count, or -1.
    /// </summary>
    public static int PathBytesOf(int fd, Span<byte> target)
    {
        Span<byte> name = stackalloc byte[16];
        if (!fd.TryFormat(name, out int length, provider: CultureInfo.InvariantCulture))
        {
            return -1;
        }

        name[length] = 0;
        fixed (byte* bytes = name)
        fixed (byte* buffer = target)
        {
            return (int)readlinkat(OwnFdDirectory.Value, bytes, buffer, target.Length);
        }
    }

    public static byte[] NullTerminated(string text)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    public static int LastError => Marshal.GetLastPInvokeError();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fanotify_init(uint flags, uint eventFlags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fanotify_mark(int fanotifyFd, uint flags, ulong mask, int directory, byte* path);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open_by_handle_at(int mountFd, byte* handle, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint readlinkat(int directory, byte* path, byte* buffer, nint size);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int statx(int directory, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, nint a, nint b, nint c, nint d);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Returned;
    }
}
