using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// File opens and renames from fanotify, limited to the folders of a <see cref="WatchPlan"/>.
/// Opens come from a content-class group with <c>FAN_OPEN_PERM</c> that names the opening thread
/// (<c>FAN_REPORT_TID</c>): the opener waits inside <c>open</c> while its open flags are read from that thread's
/// <c>/proc/TID/syscall</c> (the event's own file descriptor carries the probe's flags, not the opener's; a
/// multi-threaded program may open from any thread), its process and current image checked, and the path read from
/// the probe's descriptor of the opened file (once answered, the opener may rename it).
/// Every permission event is answered <c>FAN_ALLOW</c>; once a batch has taken longer than the answer budget,
/// the rest of it is allowed at once without an event, and counted. Renames come from a second group that
/// reports directory handles and names and the moved file's own handle (<c>FAN_RENAME</c>), resolved to paths with
/// <c>open_by_handle_at</c>. With inode marks the kernel reports only the watched side's directory, so a rename
/// out of a watched folder gets its new path from the moved file's handle.
/// </summary>
internal sealed class FileProbe : IDisposable
{
    /// <summary>The longest the probe spends on one batch of permission events before allowing the rest unseen.</summary>
    public static readonly TimeSpan AnswerBudget = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long the permission reader keeps polling without sleeping after an event. Waking a sleeping reader
    /// costs tens of microseconds on a VM (the idle vCPU halts); during a burst of watched opens the next one
    /// comes within a few microseconds and is answered at once. An isolated open costs at most this much CPU.
    /// </summary>
    public static readonly TimeSpan SpinAfterEvent = TimeSpan.FromMicroseconds(50);

    private const int MetadataBytes = 24;
    private const short PollIn = 1;
    private static readonly int OwnPid = Environment.ProcessId;

    private readonly KnownProcesses _processes;
    private readonly TimeProvider _clock;
    private readonly Action<SecurityEvent> _publish;
    private readonly FeedCounters _counters;
    private readonly Action<string> _onProblem;
    private readonly int _openGroup = -1;
    private readonly int _renameGroup = -1;
    private readonly CancellationTokenSource _stop = new();
    private readonly KeptProcFiles _syscalls = new("syscall"); // these three used by the permission reader only
    private readonly KeptProcFiles _comms = new("comm");
    private readonly ThreadGroups _threadGroups = new();
    private Task _readers = Task.CompletedTask;
    private CancellationTokenSource? _linkedStop;
    private int _disposed;
    private long _allowed;
    private long _late;

    public FileProbe(WatchPlan plan, KnownProcesses processes, Action<SecurityEvent> publish, FeedCounters counters, Action<string> onProblem, TimeProvider? clock = null)
    {
        Plan = plan;
        _processes = processes;
        _clock = clock ?? TimeProvider.System;
        _publish = publish;
        _counters = counters;
        _onProblem = onProblem;
        try
        {
            if (plan.Opens)
            {
                _openGroup = Init(Linux.FanClassContent | Linux.FanReportTid | Linux.FanCloexec | Linux.FanNonblock | Linux.FanUnlimitedQueue | Linux.FanUnlimitedMarks, "the open watch");
            }

            if (plan.Renames)
            {
                _renameGroup = Init(Linux.FanClassNotif | Linux.FanCloexec | Linux.FanNonblock | Linux.FanReportDirFid | Linux.FanReportName | Linux.FanReportFid | Linux.FanReportTargetFid | Linux.FanUnlimitedMarks, "the rename watch");
            }

            Marks = new FileMarks(plan, _openGroup, _renameGroup, onProblem, _clock);
            Marks.Refresh();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public FileMarks Marks { get; }

    public WatchPlan Plan { get; }

    /// <summary>Permission events answered so far.</summary>
    public long Allowed => Interlocked.Read(ref _allowed);

    /// <summary>Permission events allowed without an event because the answer budget was spent.</summary>
    public long Late => Interlocked.Read(ref _late);

    /// <summary>Starts the reader threads; they end when <paramref name="cancellationToken"/> is cancelled or the probe is disposed.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        _linkedStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        CancellationToken stop = _linkedStop.Token;
        List<Task> readers = [];
        if (_openGroup >= 0)
        {
            readers.Add(Task.Factory.StartNew(() => ReadLoop(_openGroup, HandleOpens, SpinAfterEvent, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        if (_renameGroup >= 0)
        {
            readers.Add(Task.Factory.StartNew(() => ReadLoop(_renameGroup, HandleRenames, TimeSpan.Zero, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        _readers = Task.WhenAll(readers);
        return _readers;
    }

    public void Dispose()
    {
        // Once only: a second close of the group numbers could close descriptors the process has reused since.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Readers stop first (within one poll interval), so none reads a descriptor closed below or reused.
        _stop.Cancel();
        try
        {
            _readers.Wait();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            // Cancelled before they started.
        }

        _linkedStop?.Dispose();
        _stop.Dispose();
        _syscalls.Dispose();
        _comms.Dispose();
        Marks?.Dispose();
        // Closing a group removes its marks; the kernel allows any permission event still waiting.
        if (_openGroup >= 0)
        {
            Linux.close(_openGroup);
        }

        if (_renameGroup >= 0)
        {
            Linux.close(_renameGroup);
        }
    }

    /// <summary>The open flags of a process blocked in an open call, from <c>/proc/PID/syscall</c>; null when not known.</summary>
    public static int? FlagsFromSyscall(string? syscall, Architecture architecture)
    {
        string[] parts = syscall?.Split(' ') ?? [];
        if (parts.Length < 4 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out long number))
        {
            return null;
        }

        int? argument = (architecture, number) switch
        {
            (Architecture.X64, 2) => 2, // open(path, flags, mode)
            (Architecture.X64, 257) or (Architecture.Arm64, 56) => 3, // openat(dirfd, path, flags, mode)
            (Architecture.X64, 304) or (Architecture.Arm64, 265) => 3, // open_by_handle_at(mount_fd, handle, flags)
            _ => null,
        };
        if (architecture == Architecture.X64 && number == 85)
        {
            return 0x241; // creat: O_CREAT | O_WRONLY | O_TRUNC
        }

        return argument is int index && parts[index].StartsWith("0x", StringComparison.Ordinal)
            && ulong.TryParse(parts[index].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong value)
            ? (int)(uint)value
            : null;
    }

    private static int Init(uint flags, string what)
    {
        int group = Linux.fanotify_init(flags, (uint)(Linux.OCloexec | Linux.OLargefile));
        return group >= 0 ? group : throw new IOException($"fanotify_init for {what} failed: errno {Linux.LastError}");
    }

    private unsafe void ReadLoop(int group, Action<ReadOnlySpan<byte>> handle, TimeSpan spin, CancellationToken cancellationToken)
    {
        byte[] buffer = GC.AllocateArray<byte>(64 * 1024, pinned: true);
        var poll = new Linux.PollFd { Fd = group, Events = PollIn };
        long lastEvent = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            // The group is non-blocking: read while events keep coming (and for `spin` after the last one), wait
            // in poll (a quarter second at a time, to notice cancellation) only when there are none.
            nint read;
            fixed (byte* bytes = buffer)
            {
                read = Linux.read(group, bytes, buffer.Length);
            }

            if (read > 0)
            {
                handle(buffer.AsSpan(0, (int)read));
                lastEvent = _clock.GetTimestamp();
                continue;
            }

            if (_clock.GetElapsedTime(lastEvent) < spin)
            {
                Thread.Yield(); // the opener just answered may be waiting for this CPU
                continue;
            }

            poll.Returned = 0;
            Linux.poll(&poll, 1, 250);
        }
    }

    private void HandleOpens(ReadOnlySpan<byte> batch)
    {
        long started = _clock.GetTimestamp();
        for (int offset = 0; offset + MetadataBytes <= batch.Length;)
        {
            (int length, ulong mask, int fd, int tid) = Metadata(batch[offset..]);
            offset += Math.Max(length, MetadataBytes);
            if ((mask & Linux.FanQueueOverflow) != 0 || fd < 0)
            {
                continue;
            }

            if (_clock.GetElapsedTime(started) >= AnswerBudget)
            {
                Allow(fd);
                Linux.close(fd);
                Interlocked.Increment(ref _late);
                _counters.CountRejected();
                continue;
            }

            // While the opener waits: what only a blocked opener can tell (its open flags, and which image it runs
            // now: a shell that exec'd `cat` keeps its pid, and cat may be gone right after the answer), through
            // descriptors kept per thread. A thread's comm is compared with its process's cached name; a thread
            // that named itself differently costs a read of its process's stat.
            int? flags = null;
            ProcessFacts? facts = null;
            try
            {
                string? comm = _comms.Read(tid, out bool sameThread);
                int pid = _threadGroups.GroupOf(tid, sameThread) ?? tid;
                if (pid == OwnPid)
                {
                    Allow(fd);
                    Linux.close(fd);
                    continue;
                }

                flags = FlagsFromSyscall(_syscalls.Read(tid), RuntimeInformation.ProcessArchitecture);
                facts = sameThread ? _processes.ForFileEventOfSameProcess(pid, comm) : _processes.ForFileEvent(pid);
            }
            catch (Exception ex)
            {
                _counters.CountDecodeError();
                _onProblem($"open event of thread {tid}: {ex.Message}");
            }

            // The path too: once answered, the opener may go on to rename the file before this thread runs again.
            string? path = Linux.PathOf(fd);
            Allow(fd);
            Thread.Yield(); // let the opener run first when it shares this CPU; the rest can wait a moment
            Linux.close(fd);
            if (facts is not null)
            {
                _publish(Event(EventNames.FileOpen, facts, new FileEventInfo { Path = path, Flags = flags }));
            }
        }
    }

    private unsafe void Allow(int fd)
    {
        Span<byte> response = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(response, fd);
        BinaryPrimitives.WriteUInt32LittleEndian(response[4..], Linux.FanAllow);
        fixed (byte* bytes = response)
        {
            if (Linux.write(_openGroup, bytes, 8) != 8)
            {
                _onProblem($"answering a permission event failed: errno {Linux.LastError}");
            }
        }

        Interlocked.Increment(ref _allowed);
    }

    private void HandleRenames(ReadOnlySpan<byte> batch)
    {
        for (int offset = 0; offset + MetadataBytes <= batch.Length;)
        {
            (int length, ulong mask, _, int pid) = Metadata(batch[offset..]);
            ReadOnlySpan<byte> eventBytes = batch.Slice(offset, Math.Min(Math.Max(length, MetadataBytes), batch.Length - offset));
            offset += Math.Max(length, MetadataBytes);
            if ((mask & Linux.FanQueueOverflow) != 0)
            {
                _counters.CountDecodeError();
                _onProblem("the kernel dropped rename events (fanotify queue overflow)");
                continue;
            }

            if ((mask & Linux.FanRename) == 0)
            {
                continue;
            }

            // The renaming process first: a `mv` may exit while the paths are being resolved.
            ProcessFacts renamer = _processes.ForFileEvent(pid);

            string? oldPath = null;
            string? newPath = null;
            string? movedPath = null;
            int metadataLength = BinaryPrimitives.ReadUInt16LittleEndian(eventBytes[6..]);
            for (int info = metadataLength; info + 4 <= eventBytes.Length;)
            {
                byte type = eventBytes[info];
                int infoLength = BinaryPrimitives.ReadUInt16LittleEndian(eventBytes[(info + 2)..]);
                if (infoLength < 4 || info + infoLength > eventBytes.Length)
                {
                    break;
                }

                ReadOnlySpan<byte> record = eventBytes.Slice(info, infoLength);
                switch (type)
                {
                    case Linux.InfoOldDirectoryAndName:
                        oldPath = ResolveHandleRecord(record, pid, withName: true);
                        break;
                    case Linux.InfoNewDirectoryAndName:
                        newPath = ResolveHandleRecord(record, pid, withName: true);
                        break;
                    case Linux.InfoFileHandle:
                        movedPath = ResolveHandleRecord(record, pid, withName: false);
                        break;
                }

                info += infoLength;
            }

            newPath ??= movedPath;
            if (oldPath is null || newPath is null)
            {
                _counters.CountDecodeError();
                _onProblem($"a rename by pid {pid} could not be resolved to paths (old: {oldPath ?? "?"}, new: {newPath ?? "?"})");
                continue;
            }

            _publish(Event(EventNames.FileRename, renamer, new FileEventInfo { Path = newPath, OldPath = oldPath, NewPath = newPath }));
        }
    }

    /// <summary>
    /// One handle record: header (4 bytes), fsid (8), <c>struct file_handle</c> (handle_bytes u32, handle_type
    /// s32, bytes), then, for a directory-and-name record, the entry name, NUL-terminated.
    /// </summary>
    private unsafe string? ResolveHandleRecord(ReadOnlySpan<byte> record, int pid, bool withName)
    {
        const int HandleAt = 12;
        if (record.Length < HandleAt + 8)
        {
            return null;
        }

        int handleBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(record[HandleAt..]);
        int nameAt = HandleAt + 8 + handleBytes;
        if (handleBytes <= 0 || nameAt > record.Length)
        {
            return null;
        }

        string? name = null;
        if (withName)
        {
            ReadOnlySpan<byte> nameBytes = record[nameAt..];
            int end = nameBytes.IndexOf((byte)0);
            name = Encoding.UTF8.GetString(end < 0 ? nameBytes : nameBytes[..end]);
        }

        byte[] handle = record.Slice(HandleAt, 8 + handleBytes).ToArray();
        string? path = Marks.ResolveWithFolders(pid, mountFd =>
        {
            fixed (byte* bytes = handle)
            {
                int fd = Linux.open_by_handle_at(mountFd, bytes, Linux.OPath | Linux.OCloexec);
                if (fd < 0)
                {
                    return null;
                }

                try
                {
                    return Linux.PathOf(fd);
                }
                finally
                {
                    Linux.close(fd);
                }
            }
        });
        return path is null || name is null ? path : path == "/" ? "/" + name : path + "/" + name;
    }

    private SecurityEvent Event(string name, ProcessFacts facts, FileEventInfo file)
    {
        return NativeEvents.Create(name, facts, facts.PodUid is { } pod ? _processes.PodOf(pod) : null, _clock.GetUtcNow()) with { File = file };
    }

    private static (int Length, ulong Mask, int Fd, int Pid) Metadata(ReadOnlySpan<byte> bytes) => (
        (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]));
}
