using System.Collections.Concurrent;

namespace Sigs.Host.Common;

/// <summary>
/// A bounded, ordered store of bodies waiting for delivery, shared by the outputs and the forwards. In a folder,
/// each body is one file written to a temporary name, flushed to disk and renamed, so a crash leaves whole entries
/// only, and they are found again, oldest first, by the next run (which removes any temporary file a crash left);
/// without a folder the entries live in memory. A write that fails throws and leaves no file; a delivered entry
/// whose file cannot be deleted (a filesystem turned read-only) is never an error for the caller: it is forgotten,
/// its deletion retried at each later removal, and <see cref="Problem"/> says so meanwhile (after a restart it would
/// be delivered again). Thread-safe.
/// </summary>
internal sealed class DiskSpool
{
    private readonly string? _folder;
    private readonly TimeProvider _clock;
    private readonly string _extension;
    private readonly ConcurrentQueue<string> _undeleted = new(); // delivered entries whose file is still there
    private long _sequence;
    private long _count;
    private string? _writeProblem;
    private string? _deleteProblem;

    /// <param name="extension">The entries' file name ending, for example <c>.json</c>.</param>
    public DiskSpool(string? folder, string extension, int capacity, TimeProvider clock)
    {
        _folder = folder;
        _extension = extension;
        Capacity = capacity;
        _clock = clock;
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
            foreach (string left in Directory.EnumerateFiles(folder, "*" + extension + ".tmp"))
            {
                // A write a crash interrupted: never a whole entry. A folder that cannot be written keeps it for now.
                if (TryDelete(left, ref _writeProblem, "cannot remove what an interrupted write left"))
                {
                    LeftoversRemoved++;
                }
            }

            string[] existing = [.. Directory.EnumerateFiles(folder, "*" + extension).Order(StringComparer.Ordinal)];
            Existing = [.. existing.Select(file => new SpoolEntry(file, null))];
            _count = existing.Length;
        }
    }

    /// <summary>The folder, or null for memory.</summary>
    public string? Folder => _folder;

    public int Capacity { get; }

    /// <summary>Entries kept now.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Temporary files of interrupted writes found and removed at start.</summary>
    public int LeftoversRemoved { get; }

    /// <summary>Why the spool cannot write or delete now, or null.</summary>
    public string? Problem => Volatile.Read(ref _writeProblem) ?? Volatile.Read(ref _deleteProblem);

    /// <summary>What an earlier run left in the folder, oldest first.</summary>
    public IReadOnlyList<SpoolEntry> Existing { get; } = [];

    /// <summary>Keeps one body; null when the spool is full. Throws <see cref="IOException"/> (or <see cref="UnauthorizedAccessException"/>) when it cannot be written.</summary>
    public SpoolEntry? Add(byte[] body)
    {
        if (_folder is null)
        {
            return AddToMemory(body);
        }

        if (!Reserve())
        {
            return null;
        }

        string name = Path.Combine(_folder, $"{_clock.GetUtcNow().UtcTicks:D20}-{Interlocked.Increment(ref _sequence):D10}{_extension}");
        string temporary = name + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(body);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, name);
        }
        catch (Exception ex)
        {
            Interlocked.Decrement(ref _count);
            Volatile.Write(ref _writeProblem, $"cannot write to {_folder}: {Reason(ex)}");
            string? cleanup = null;
            TryDelete(temporary, ref cleanup, "cannot remove a failed write"); // if it stays, the next start removes it
            throw;
        }

        Volatile.Write(ref _writeProblem, null);
        return new SpoolEntry(name, null);
    }

    /// <summary>Keeps one body in memory, counted as spooled (for when the folder cannot be written); null when full.</summary>
    public SpoolEntry? AddToMemory(byte[] body) => Reserve() ? new SpoolEntry(null, body) : null;

    /// <summary>Counts one more entry; false (and nothing counted) when the spool is full.</summary>
    private bool Reserve()
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        return true;
    }

    public static byte[] Read(SpoolEntry entry) => entry.Body ?? File.ReadAllBytes(entry.File!);

    /// <summary>Forgets a delivered (or refused) entry; its file is deleted now or, if that fails, at a later removal.</summary>
    public void Remove(SpoolEntry entry)
    {
        Interlocked.Decrement(ref _count);
        if (entry.File is null)
        {
            return;
        }

        _undeleted.Enqueue(entry.File);
        // Bounded: past the capacity the oldest is no longer retried (it stays, and is delivered again after a restart).
        while (_undeleted.Count > Capacity && _undeleted.TryDequeue(out _))
        {
        }

        while (_undeleted.TryPeek(out string? file))
        {
            if (!TryDelete(file, ref _deleteProblem, "cannot delete delivered entries"))
            {
                return;
            }

            _undeleted.TryDequeue(out _);
        }

        Volatile.Write(ref _deleteProblem, null);
    }

    /// <summary>What went wrong, without the file's name (.NET appends <c> : 'path'</c>), so one cause reads the same each time.</summary>
    private static string Reason(Exception ex) =>
        ex.Message.IndexOf(" : '", StringComparison.Ordinal) is int at and >= 0 ? ex.Message[..at] : ex.Message;

    /// <summary>Deletes a file; false, with <paramref name="what"/> and the reason kept in <paramref name="problem"/>, when it is still there.</summary>
    private bool TryDelete(string file, ref string? problem, string what)
    {
        try
        {
            File.Delete(file);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Volatile.Write(ref problem, $"{what} in {_folder}: {Reason(ex)}");
            return false;
        }
    }
}

/// <summary>One spooled body: its file, or the body itself when the spool is in memory.</summary>
internal sealed record SpoolEntry(string? File, byte[]? Body);
