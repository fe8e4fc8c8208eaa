namespace Sigs.Host.Common;

/// <summary>
/// A bounded, ordered store of bodies waiting for delivery, shared by the outputs and the forwards. In a folder,
/// each body is one file written to a temporary name, flushed to disk and renamed, so a crash leaves whole entries
/// only, and they are found again, oldest first, by the next run; without a folder the entries live in memory.
/// Thread-safe.
/// </summary>
internal sealed class DiskSpool
{
    private readonly string? _folder;
    private readonly TimeProvider _clock;
    private readonly string _extension;
    private long _sequence;
    private long _count;

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

    /// <summary>What an earlier run left in the folder, oldest first.</summary>
    public IReadOnlyList<SpoolEntry> Existing { get; } = [];

    /// <summary>Keeps one body; null when the spool is full.</summary>
    public SpoolEntry? Add(byte[] body)
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            return null;
        }

        if (_folder is null)
        {
            return new SpoolEntry(null, body);
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
        catch
        {
            Interlocked.Decrement(ref _count);
            throw;
        }

        return new SpoolEntry(name, null);
    }

    public static byte[] Read(SpoolEntry entry) => entry.Body ?? File.ReadAllBytes(entry.File!);

    /// <summary>Forgets a delivered (or refused) entry.</summary>
    public void Remove(SpoolEntry entry)
    {
        if (entry.File is not null)
        {
            File.Delete(entry.File);
        }

        Interlocked.Decrement(ref _count);
    }
}

/// <summary>One spooled body: its file, or the body itself when the spool is in memory.</summary>
internal sealed record SpoolEntry(string? File, byte[]? Body);
