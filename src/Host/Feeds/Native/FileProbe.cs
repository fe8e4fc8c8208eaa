using Sigs.Host.Common;
using Sigs.Host.Enrichment;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// File opens and renames from fanotify, limited to the folders of a <see cref="WatchPlan"/>. Both groups are
/// notification groups: the kernel queues each event and the watched process goes on at once, whether the probe
/// reads now, later or never, so a stopped or slow Sigs can never make a process on the node wait. Opens come
/// from reads, writes and closes of the watched files (<see cref="OpenReports"/> turns them into one report per
/// open with its access mode), the process from the event's pid and the facts the process connector read at its
/// exec, the path from the event's descriptor. Renames come from a second group that reports directory handles and
/// names and the moved file's own handle (<c>FAN_RENAME</c>), resolved to paths with <c>open_by_handle_at</c>.
/// With inode marks the kernel reports only the watched side's directory, so a rename out of a watched folder gets
/// its new path from the moved file's handle. Each queue holds the kernel's default number of events; when it
/// overflows the kernel says so once, and the probe counts it (<see cref="QueueOverflows"/>).
/// </summary>
internal sealed class FileProbe : IDisposable
{
    private const int MetadataBytes = 24;
    private const short PollIn = 1;
    private static readonly int OwnPid = Environment.ProcessId;

    private readonly KnownProcesses _processes;
    private readonly TimeProvider _clock;
    private readonly FeedCounters _counters;
    private readonly Action<string> _onProblem;
    private readonly int _openGroup = -1;
    private readonly int _renameGroup = -1;
    private readonly CancellationTokenSource _stop = new();
    private readonly OpenReports _opens = new(); // the open reader's only
    private readonly AwaitingFacts _openEvents;
    private readonly AwaitingFacts _renameEvents;
    private Task _readers = Task.CompletedTask;
    private CancellationTokenSource? _linkedStop;
    private int _disposed;
    private long _queueOverflows;

    public FileProbe(WatchPlan plan, KnownProcesses processes, Action<SecurityEvent> publish, FeedCounters counters, Action<string> onProblem, TimeProvider? clock = null)
    {
        Plan = plan;
        _processes = processes;
        _clock = clock ?? TimeProvider.System;
        _counters = counters;
        _onProblem = onProblem;
        _openEvents = new AwaitingFacts(processes, publish, _clock);
        _renameEvents = new AwaitingFacts(processes, publish, _clock);
        try
        {
            if (plan.Opens)
            {
                _openGroup = Init(Linux.FanClassNotif | Linux.FanCloexec | Linux.FanNonblock | Linux.FanUnlimitedMarks, "the open watch");
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

    /// <summary>Times a kernel queue of this probe overflowed: each time at least one watched open or rename was lost.</summary>
    public long QueueOverflows => Interlocked.Read(ref _queueOverflows);

    /// <summary>Starts the reader threads; they end when <paramref name="cancellationToken"/> is cancelled or the probe is disposed.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        _linkedStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        CancellationToken stop = _linkedStop.Token;
        List<Task> readers = [];
        if (_openGroup >= 0)
        {
            readers.Add(Task.Factory.StartNew(() => ReadLoop(_openGroup, HandleOpens, _openEvents, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        if (_renameGroup >= 0)
        {
            readers.Add(Task.Factory.StartNew(() => ReadLoop(_renameGroup, HandleRenames, _renameEvents, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default));
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
        Marks?.Dispose();
        // Closing a group removes its marks and frees what waits in its queue.
        if (_openGroup >= 0)
        {
            LibC.close(_openGroup);
        }

        if (_renameGroup >= 0)
        {
            LibC.close(_renameGroup);
        }
    }

    private static int Init(uint flags, string what)
    {
        int group = Linux.fanotify_init(flags, (uint)(Linux.OCloexec | Linux.OLargefile));
        return group >= 0 ? group : throw new IOException($"fanotify_init for {what} failed: errno {Linux.LastError}");
    }

    private unsafe void ReadLoop(int group, Action<ReadOnlySpan<byte>> handle, AwaitingFacts events, CancellationToken cancellationToken)
    {
        byte[] buffer = GC.AllocateArray<byte>(64 * 1024, pinned: true);
        var poll = new Linux.PollFd { Fd = group, Events = PollIn };
        while (!cancellationToken.IsCancellationRequested)
        {
            // The group is non-blocking: read while events keep coming, wait in poll only when there are none: a
            // quarter second at a time (to notice cancellation), 5 ms while events wait for their process's facts.
            nint read;
            fixed (byte* bytes = buffer)
            {
                read = LibC.read(group, bytes, buffer.Length);
            }

            if (read > 0)
            {
                handle(buffer.AsSpan(0, (int)read));
            }
            else
            {
                poll.Returned = 0;
                Linux.poll(&poll, 1, events.Any ? 5 : 250);
            }

            events.Release();
        }

        events.Release(force: true);
    }

    private void HandleOpens(ReadOnlySpan<byte> batch)
    {
        Span<byte> path = stackalloc byte[Linux.PathMax];
        for (int offset = 0; offset + MetadataBytes <= batch.Length;)
        {
            (int length, ulong mask, int fd, int pid) = Metadata(batch[offset..]);
            offset += Math.Max(length, MetadataBytes);
            if ((mask & Linux.FanQueueOverflow) != 0)
            {
                Overflowed("open");
                continue;
            }

            if (fd < 0)
            {
                continue;
            }

            if (pid == OwnPid)
            {
                LibC.close(fd);
                continue;
            }

            // The path is read from the event's own descriptor, as the opener's mount namespace sees it; the
            // decision needs only its hash, so a repeated read or write costs no string. A path outside every
            // watched folder comes from a mount whose namespace is gone: its filesystem says which folder it is in.
            int pathLength = Linux.PathBytesOf(fd, path);
            ulong? detachedDevice = pathLength > 0 && !Plan.Contains(path[..pathLength]) ? Linux.Identify(fd)?.Device : null;
            LibC.close(fd);
            if (pathLength <= 0)
            {
                continue;
            }

            ReadOnlySpan<byte> pathBytes = path[..pathLength];
            if (_opens.Next(pid, XxHash3.HashToUInt64(pathBytes), mask) is not int flags)
            {
                continue;
            }

            string shown = Encoding.UTF8.GetString(pathBytes);
            if (detachedDevice is ulong device && Marks.MountRootFolderOn(device) is { } folder)
            {
                shown = folder + shown.TrimStart('/');
            }

            var file = new FileEventInfo { Path = shown, Flags = flags };
            DateTimeOffset time = _clock.GetUtcNow();
            _openEvents.Publish(pid, Monotonic.Now(), facts => Event(EventNames.FileOpen, facts, file, time));
        }
    }

    /// <summary>Counts an overflow; logs the 1st, 2nd, 4th, 8th... so a lasting flood cannot fill the log.</summary>
    private void Overflowed(string what)
    {
        long overflows = Interlocked.Increment(ref _queueOverflows);
        if (long.IsPow2(overflows))
        {
            _onProblem($"the kernel's {what} event queue overflowed ({overflows} times so far): watched {what}s were lost (sigs_native_queue_overflows_total)");
        }
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
                Overflowed("rename");
                continue;
            }

            if ((mask & Linux.FanRename) == 0)
            {
                continue;
            }

            DateTimeOffset time = _clock.GetUtcNow();
            long readAt = Monotonic.Now();

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

            var file = new FileEventInfo { Path = newPath, OldPath = oldPath, NewPath = newPath };
            _renameEvents.Publish(pid, readAt, renamer => Event(EventNames.FileRename, renamer, file, time));
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
                    LibC.close(fd);
                }
            }
        });
        return path is null || name is null ? path : path == "/" ? "/" + name : path + "/" + name;
    }

    private SecurityEvent Event(string name, ProcessFacts facts, FileEventInfo file, DateTimeOffset time) =>
        NativeEvents.Create(name, facts, facts.PodUid is { } pod ? _processes.PodOf(pod) : null, time) with { File = file };

    private static (int Length, ulong Mask, int Fd, int Pid) Metadata(ReadOnlySpan<byte> bytes) => (
        (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]));
}
