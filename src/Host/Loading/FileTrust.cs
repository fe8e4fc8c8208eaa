using System.Runtime.InteropServices;

namespace Sigs.Host.Loading;

/// <summary>
/// The ownership and permission rules sshd and kubelet apply to what they load: a file or folder must be owned
/// by root or by the user Sigs runs as, and must not be writable by group or others.
/// </summary>
internal static partial class FileTrust
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int GroupOrOtherWrite = 0x12; // S_IWGRP | S_IWOTH
    private const int Sticky = 0x200; // S_ISVTX
    private const int FileTypeMask = 0xF000; // S_IFMT
    private const int SymbolicLink = 0xA000; // S_IFLNK

    /// <summary>
    /// The first problem with <paramref name="paths"/>, or null when all are trustworthy. A symbolic link is judged
    /// by its owner only (its mode is always 777 and means nothing); what it points to is checked where it is used.
    /// </summary>
    public static string? Problem(IEnumerable<string> paths)
    {
        uint self = geteuid();
        foreach (string path in paths)
        {
            (uint owner, int mode) = Stat(path);
            if (owner != 0 && owner != self)
            {
                return $"{path} is owned by uid {owner}, not root or the user Sigs runs as (uid {self})";
            }

            if ((mode & GroupOrOtherWrite) != 0 && !IsLink(mode))
            {
                return $"{path} is writable by group or others (mode {Convert.ToString(mode & 0xfff, 8)}); fix it with 'chmod go-w' or set plugins.allowInsecurePermissions";
            }
        }

        return null;
    }

    /// <summary>
    /// The first problem with <paramref name="folder"/> and each folder above it up to <c>/</c>: whoever can write
    /// to any of them can swap what lies below (an empty plugin folder for the real one). A folder writable by
    /// others is accepted only with the sticky bit (such as <c>/tmp</c>), where no one else can rename what Sigs owns.
    /// </summary>
    public static string? FolderChainProblem(string folder)
    {
        // The folders as written (a link among them judged by its owner) and, when links lead elsewhere, the folders
        // actually traversed.
        string written = Path.GetFullPath(folder);
        string resolved = RealPath(written);
        return ChainProblem(written, folder) ?? (resolved == written ? null : ChainProblem(resolved, folder));
    }

    private static string? ChainProblem(string start, string folder)
    {
        uint self = geteuid();
        for (string? current = start; current is not null; current = Path.GetDirectoryName(current))
        {
            (uint owner, int mode) = Stat(current);
            if (owner != 0 && owner != self)
            {
                return $"{current} is owned by uid {owner}, not root or the user Sigs runs as (uid {self}), so it can swap the plugin folder {folder}";
            }

            if ((mode & GroupOrOtherWrite) != 0 && (mode & Sticky) == 0 && !IsLink(mode))
            {
                return $"{current} is writable by group or others (mode {Convert.ToString(mode & 0xfff, 8)}), so they can swap the plugin folder {folder}";
            }
        }

        return null;
    }

    private static bool IsLink(int mode) => (mode & FileTypeMask) == SymbolicLink;

    private static string RealPath(string path)
    {
        nint resolved = realpath(path, 0);
        if (resolved == 0)
        {
            throw new IOException($"cannot resolve {path}: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved)!;
        }
        finally
        {
            free(resolved);
        }
    }

    /// <summary>The plugin's files and folders (all of them, subfolders included), and every folder up to and including the plugin folder.</summary>
    public static IEnumerable<string> PathsToCheck(string pluginEntry, string pluginsFolder)
    {
        if (Directory.Exists(pluginEntry))
        {
            foreach (string path in Directory.EnumerateFileSystemEntries(pluginEntry, "*", PluginFiles.Everything).Order(StringComparer.Ordinal))
            {
                yield return path;
            }
        }
        else
        {
            yield return pluginEntry;
        }

        string root = Path.GetFullPath(pluginsFolder).TrimEnd('/');
        for (string? folder = Directory.Exists(pluginEntry) ? Path.GetFullPath(pluginEntry) : Path.GetDirectoryName(Path.GetFullPath(pluginEntry));
             folder is not null && folder.Length >= root.Length;
             folder = Path.GetDirectoryName(folder))
        {
            yield return folder;
        }
    }

    private static unsafe (uint Owner, int Mode) Stat(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            throw new IOException($"cannot stat {path}: errno {Marshal.GetLastPInvokeError()}");
        }

        // struct statx: stx_uid at offset 20, stx_mode (u16) at offset 28; the layout is the same on every architecture.
        return (*(uint*)(buffer + 20), *(ushort*)(buffer + 28));
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string pathname, int flags, uint mask, byte* statxbuf);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint realpath(string path, nint resolved);

    [LibraryImport("libc")]
    private static partial void free(nint pointer);
}
