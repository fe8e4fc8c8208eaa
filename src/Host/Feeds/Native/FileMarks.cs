using Sigs.Host.Common;
using System.Globalization;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// Places the fanotify marks for a <see cref="WatchPlan"/> in every mount namespace on the node. Each watched
/// folder is resolved inside each namespace's own root (<c>openat2</c> with <c>RESOLVE_IN_ROOT</c>, so a
/// container's absolute symlinks never lead back to the host). No mark depends on the mount a file is reached
/// through, so a copy of a mount (a mount namespace made with <c>unshare</c> and no exec, a bind mount) is watched
/// as much as the original: a folder that is the root of a whole filesystem (a pod's projected service-account
/// volume, its own tmpfs) gets one filesystem mark for opens, which also covers the subfolders its atomic writer
/// makes at each token rotation; any other folder gets inode marks on it and its subdirectories. Renames always
/// use inode marks (the kernel reports them on directories). Namespaces are found by scanning /proc, and again
/// when a process execs in a namespace whose folders were missing or have changed (a new pod's mounts appear
/// after its first exec), at most once a second each.
/// </summary>
internal sealed class FileMarks(WatchPlan plan, int openGroup, int renameGroup, Action<string> onProblem, TimeProvider clock) : IDisposable
{
    public const int MaxDirectoriesPerFolder = 4096;
    private const int MaxDepth = 16;
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Namespace> _namespaces = new(StringComparer.Ordinal);
    private long _marks;
    private long _filesystemMarks;

    /// <summary>Marks placed so far.</summary>
    public long Marks => Interlocked.Read(ref _marks);

    /// <summary>Of those, marks on whole filesystems (folders that are a filesystem's root, such as a pod's projected volume).</summary>
    public long FilesystemMarks => Interlocked.Read(ref _filesystemMarks);

    /// <summary>Mount namespaces being watched.</summary>
    public int Namespaces
    {
        get
        {
            lock (_lock)
            {
                return _namespaces.Count;
            }
        }
    }

    /// <summary>The watched folders that exist in no mount namespace seen so far (none yet on this node).</summary>
    public IReadOnlyList<string> FoldersFoundNowhere()
    {
        lock (_lock)
        {
            return [.. plan.Folders.Where(folder => !_namespaces.Values.Any(ns => ns.Folders.ContainsKey(folder)))];
        }
    }

    /// <summary>
    /// The watched folder that a path from a detached mount is relative to, or null. A file read through a mount
    /// whose namespace is gone by the time its event is read (a process that made its own mount namespace, read and
    /// exited) has a path relative to that mount's root: <c>/token</c> for a projected volume's token. When
    /// <paramref name="device"/> (the file's filesystem) is that of a watched folder that is a mount's root, the
    /// path is that folder's.
    /// </summary>
    public string? MountRootFolderOn(ulong device)
    {
        lock (_lock)
        {
            return _namespaces.Values.SelectMany(ns => ns.Folders)
                .FirstOrDefault(folder => folder.Value.Identity.IsMountRoot && folder.Value.Identity.Device == device).Key;
        }
    }

    /// <summary>True when <paramref name="folder"/> is marked in <paramref name="pid"/>'s mount namespace.</summary>
    public bool Watches(int pid, string folder)
    {
        string? id = NamespaceOf(pid);
        lock (_lock)
        {
            return id is not null && _namespaces.TryGetValue(id, out Namespace? ns) && ns.Folders.ContainsKey(folder);
        }
    }

    /// <summary>Scans /proc for mount namespaces: marks new ones, checks known ones again, forgets dead ones.</summary>
    public void Refresh()
    {
        var alive = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out int pid) && NamespaceOf(pid) is { } id)
            {
                alive.TryAdd(id, pid);
            }
        }

        lock (_lock)
        {
            foreach (string gone in _namespaces.Keys.Where(id => !alive.ContainsKey(id)).ToList())
            {
                _namespaces.Remove(gone, out Namespace? dead);
                dead!.Dispose();
            }
        }

        foreach ((string id, int pid) in alive)
        {
            Check(id, pid, force: true);
        }
    }

    /// <summary>A process exec'd: checks its mount namespace when it is new or was last checked over a second ago.</summary>
    public void OnExec(int pid)
    {
        if (NamespaceOf(pid) is { } id)
        {
            Check(id, pid, force: false);
        }
    }

    /// <summary>
    /// Runs <paramref name="resolve"/> with each watched folder's descriptor, those of <paramref name="pid"/>'s
    /// namespace first, until one gives a result (resolving a directory handle needs a descriptor on its mount).
    /// </summary>
    public string? ResolveWithFolders(int pid, Func<int, string?> resolve)
    {
        string? preferred = NamespaceOf(pid);
        lock (_lock)
        {
            foreach (Namespace ns in _namespaces.OrderBy(n => n.Key == preferred ? 0 : 1).Select(n => n.Value))
            {
                foreach (MarkedFolder folder in ns.Folders.Values)
                {
                    if (resolve(folder.Fd) is { } resolved)
                    {
                        return resolved;
                    }
                }
            }
        }

        return null;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (Namespace ns in _namespaces.Values)
            {
                ns.Dispose();
            }

            _namespaces.Clear();
        }
    }

    private void Check(string id, int pid, bool force)
    {
        lock (_lock)
        {
            if (!_namespaces.TryGetValue(id, out Namespace? ns))
            {
                ns = new Namespace();
                _namespaces[id] = ns;
            }
            else if (!force && clock.GetUtcNow() - ns.Checked < RecheckInterval)
            {
                return;
            }

            ns.Checked = clock.GetUtcNow();
            int root = Linux.OpenAt2(Linux.AtFdCwd, $"/proc/{pid}/root", Linux.OPath | Linux.ODirectory | Linux.OCloexec, 0);
            if (root < 0)
            {
                return; // exited meanwhile
            }

            try
            {
                var wholeFilesystems = new Lazy<HashSet<ulong>>(() => WholeFilesystemMounts(pid));
                foreach (string folder in plan.Folders)
                {
                    CheckFolder(ns, root, folder, wholeFilesystems);
                }
            }
            finally
            {
                LibC.close(root);
            }
        }
    }

    private void CheckFolder(Namespace ns, int root, string folder, Lazy<HashSet<ulong>> wholeFilesystems)
    {
        string relative = folder.Trim('/') is { Length: > 0 } inside ? inside : ".";
        // Opened for reading, not O_PATH: open_by_handle_at refuses an O_PATH descriptor as its mount descriptor.
        int fd = Linux.OpenAt2(root, relative, Linux.ODirectory | Linux.OCloexec, Linux.ResolveInRoot | Linux.ResolveNoMagicLinks);
        if (fd < 0)
        {
            return; // not there (yet) in this namespace
        }

        DirectoryIdentity? identity = Linux.Identify(fd);
        if (identity is null || (ns.Folders.TryGetValue(folder, out MarkedFolder? marked) && marked.Identity == identity))
        {
            LibC.close(fd);
            return;
        }

        if (marked is not null)
        {
            LibC.close(marked.Fd);
        }

        ns.Folders[folder] = new MarkedFolder(fd, identity.Value);
        int directories = 0;
        MarkTree(fd, identity.Value, folder, 0, wholeFilesystems, ref directories);
        if (directories >= MaxDirectoriesPerFolder)
        {
            onProblem($"{folder} has over {MaxDirectoriesPerFolder} subdirectories; the rest are not watched");
        }
    }

    private void MarkTree(int fd, DirectoryIdentity identity, string shownPath, int depth, Lazy<HashSet<ulong>> wholeFilesystems, ref int directories)
    {
        directories++;
        bool filesystemMarked = plan.Opens && identity.IsMountRoot && wholeFilesystems.Value.Contains(identity.MountId)
            && Mark(fd, Linux.FanMarkFilesystem, OpenReports.Mask, openGroup, shownPath);
        if (plan.Opens && !filesystemMarked)
        {
            Mark(fd, 0, OpenReports.Mask | Linux.FanEventOnChild, openGroup, shownPath);
        }

        if (plan.Renames)
        {
            Mark(fd, 0, Linux.FanRename | Linux.FanOnDir, renameGroup, shownPath);
        }

        if ((filesystemMarked && !plan.Renames) || depth >= MaxDepth)
        {
            return;
        }

        foreach (string name in SubdirectoryNames(fd))
        {
            if (directories >= MaxDirectoriesPerFolder)
            {
                return;
            }

            int child = Linux.OpenAt2(fd, name, Linux.OPath | Linux.ODirectory | Linux.OCloexec, Linux.ResolveBeneath | Linux.ResolveNoSymlinks);
            if (child < 0)
            {
                continue;
            }

            try
            {
                if (Linux.Identify(child) is { } childIdentity)
                {
                    MarkTree(child, childIdentity, shownPath + name + "/", depth + 1, wholeFilesystems, ref directories);
                }
            }
            finally
            {
                LibC.close(child);
            }
        }
    }

    private unsafe bool Mark(int fd, uint flags, ulong mask, int group, string shownPath)
    {
        if (group < 0 || mask == 0)
        {
            return false;
        }

        byte dot = (byte)'.';
        byte* path = stackalloc byte[2] { dot, 0 };
        if (Linux.fanotify_mark(group, Linux.FanMarkAdd | flags, mask, fd, path) != 0)
        {
            onProblem($"cannot watch {shownPath}: fanotify_mark failed with errno {Linux.LastError}");
            return false;
        }

        Interlocked.Increment(ref _marks);
        if ((flags & Linux.FanMarkFilesystem) != 0)
        {
            Interlocked.Increment(ref _filesystemMarks);
        }

        return true;
    }

    private static IEnumerable<string> SubdirectoryNames(int fd)
    {
        try
        {
            return [.. Directory.EnumerateDirectories($"/proc/self/fd/{fd}", "*", new EnumerationOptions
            {
                AttributesToSkip = FileAttributes.ReparsePoint,
                IgnoreInaccessible = true,
                RecurseSubdirectories = false,
            }).Select(Path.GetFileName).OfType<string>()];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// The mounts in <paramref name="pid"/>'s namespace that show a whole filesystem (their root in it is <c>/</c>),
    /// from <c>/proc/PID/mountinfo</c>: "ID PARENT MAJOR:MINOR ROOT MOUNTPOINT ...". A bind mount of a subfolder
    /// shows only part of its filesystem, and a filesystem mark there would watch all of it.
    /// </summary>
    public static HashSet<ulong> WholeFilesystemMounts(int pid)
    {
        var mounts = new HashSet<ulong>();
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/mountinfo"))
            {
                string[] fields = line.Split(' ', 5);
                if (fields.Length == 5 && fields[3] == "/" && ulong.TryParse(fields[0], CultureInfo.InvariantCulture, out ulong id))
                {
                    mounts.Add(id);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile: no filesystem marks, inode marks instead.
        }

        return mounts;
    }

    private static string? NamespaceOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/mnt").LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed record MarkedFolder(int Fd, DirectoryIdentity Identity);

    private sealed class Namespace : IDisposable
    {
        public Dictionary<string, MarkedFolder> Folders { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset Checked { get; set; }

        public void Dispose()
        {
            foreach (MarkedFolder folder in Folders.Values)
            {
                LibC.close(folder.Fd);
            }
        }
    }
}
