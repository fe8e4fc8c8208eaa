namespace Sigs.Plugins;

/// <summary>
/// State for sequence and threshold signatures (SDK 1.6): items grouped by a key (a pod, a user, a process), each
/// kept while its event time is within <see cref="Window"/> of the watermark, and bounded in number overall and per
/// key. When a bound is reached the oldest item (by arrival; of its key, for the per-key bound) is evicted; evictions
/// are counted, logged (the first, then every 1,000th) and, with a context, shown on <c>/metrics</c> as
/// <c>sigs_signature_evictions_total{signature}</c>.
/// </summary>
/// <remarks>
/// Move the watermark with <see cref="Advance"/> from <see cref="Signature.OnEvent"/> (the event's time) and from
/// <see cref="Signature.OnSignal"/> (the signal's time): it only moves forward. Items leave when it is past their
/// window, in arrival order; an event dated far ahead (a clock wrong, or forged) drops what waits, but never makes
/// later items unusable. Not thread-safe; the host calls a signature from one thread at a time.
/// </remarks>
/// <typeparam name="TItem">What is kept, for example the <see cref="SecurityEvent"/> that started a sequence.</typeparam>
public sealed class KeyedWindow<TItem>
{
    private readonly Queue<Entry> _arrivalOrder = new();
    private readonly Dictionary<string, List<Entry>> _byKey = new(StringComparer.Ordinal);
    private readonly SignatureContext? _context;
    private readonly string _name;

    /// <param name="window">How long after its time an item is kept.</param>
    /// <param name="maxItems">At most this many items in all.</param>
    /// <param name="maxItemsPerKey">At most this many items per key.</param>
    /// <param name="context">The signature's context, to log and count evictions; none in a bare unit test.</param>
    /// <param name="name">What the items are, for the eviction log line ("pending token reads").</param>
    public KeyedWindow(TimeSpan window, int maxItems, int maxItemsPerKey = int.MaxValue, SignatureContext? context = null, string name = "items")
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItems, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItemsPerKey, 1);
        Window = window;
        MaxItems = maxItems;
        MaxItemsPerKey = maxItemsPerKey;
        _context = context;
        _name = name;
    }

    /// <summary>How long after its time an item is kept.</summary>
    public TimeSpan Window { get; }

    /// <summary>The bound on all items.</summary>
    public int MaxItems { get; }

    /// <summary>The bound on each key's items.</summary>
    public int MaxItemsPerKey { get; }

    /// <summary>The latest time given to <see cref="Advance"/>.</summary>
    public DateTimeOffset Watermark { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>Items kept.</summary>
    public int Count { get; private set; }

    /// <summary>Keys with at least one item.</summary>
    public int KeyCount => _byKey.Count;

    /// <summary>Items dropped because a bound was reached.</summary>
    public long Evictions { get; private set; }

    /// <summary>Items dropped because their window passed.</summary>
    public long Expirations { get; private set; }

    /// <summary>Keeps <paramref name="item"/> under <paramref name="key"/>, evicting the oldest when a bound is reached.</summary>
    public void Add(string key, DateTimeOffset time, TItem item)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entry = new Entry(key, time, item);
        _arrivalOrder.Enqueue(entry);
        if (!_byKey.TryGetValue(key, out List<Entry>? entries))
        {
            _byKey[key] = entries = [];
        }

        entries.Add(entry);
        Count++;
        if (entries.Count > MaxItemsPerKey)
        {
            if (Expired(entries[0]))
            {
                Expire(entries[0]);
            }
            else
            {
                Evict(entries[0], perKey: true);
            }
        }

        if (_arrivalOrder.Count > 2L * MaxItems)
        {
            DropTakenFromArrivalOrder();
        }

        while (Count > MaxItems && _arrivalOrder.TryDequeue(out Entry? oldest))
        {
            if (!oldest.Done)
            {
                Evict(oldest, perKey: false);
            }
        }
    }

    /// <summary>The items kept under <paramref name="key"/>, oldest arrival first.</summary>
    public IReadOnlyList<WindowItem<TItem>> Items(string key) =>
        _byKey.TryGetValue(key, out List<Entry>? entries) ? [.. entries.Select(e => e.ToItem())] : [];

    /// <summary>
    /// Removes and returns the oldest item kept under <paramref name="key"/> that <paramref name="match"/> accepts:
    /// a sequence's first step consumed by its second. Say in <paramref name="match"/> how far apart in event time
    /// the two may be: items leave by <see cref="Advance"/>, oldest arrival first, so one that arrived after a
    /// later event (a sensor's clock behind) stays until those before it go.
    /// </summary>
    public bool TryTake(string key, Func<WindowItem<TItem>, bool> match, out WindowItem<TItem> taken)
    {
        ArgumentNullException.ThrowIfNull(match);
        if (_byKey.TryGetValue(key, out List<Entry>? entries))
        {
            foreach (Entry entry in entries)
            {
                WindowItem<TItem> item = entry.ToItem();
                if (match(item))
                {
                    Forget(entry);
                    taken = item;
                    return true;
                }
            }
        }

        taken = default;
        return false;
    }

    /// <summary>Moves the watermark to <paramref name="time"/> if that is later, and drops the items whose window has passed.</summary>
    public void Advance(DateTimeOffset time)
    {
        if (time <= Watermark)
        {
            return;
        }

        Watermark = time;
        while (_arrivalOrder.TryPeek(out Entry? oldest) && (oldest.Done || Expired(oldest)))
        {
            _arrivalOrder.Dequeue();
            if (!oldest.Done)
            {
                Expire(oldest);
            }
        }
    }

    /// <summary>Drops every item (at the end of input); counts nothing.</summary>
    public void Clear()
    {
        _arrivalOrder.Clear();
        _byKey.Clear();
        Count = 0;
    }

    private bool Expired(Entry entry) => Watermark - entry.Time > Window;

    /// <summary>Keeps the arrival queue within twice the bound: items taken or evicted per key leave it here, not only at its head.</summary>
    private void DropTakenFromArrivalOrder()
    {
        Entry[] kept = [.. _arrivalOrder.Where(e => !e.Done)];
        _arrivalOrder.Clear();
        foreach (Entry entry in kept)
        {
            _arrivalOrder.Enqueue(entry);
        }
    }

    private void Expire(Entry entry)
    {
        Forget(entry);
        Expirations++;
    }

    /// <summary>Drops <paramref name="entry"/> at a bound: the key's when <paramref name="perKey"/>, else the one on all items.</summary>
    private void Evict(Entry entry, bool perKey)
    {
        Forget(entry);
        Evictions++;
        _context?.CountEvictions(1);
        if (_context is not null && (Evictions == 1 || Evictions % 1000 == 0))
        {
            string bound = perKey ? $"more than {MaxItemsPerKey} for one key" : $"more than {MaxItems} in all";
            _context.Log(SignatureLogLevel.Warning, $"{Evictions} {_name} evicted so far: {bound} waiting");
        }
    }

    private void Forget(Entry entry)
    {
        entry.Done = true;
        Count--;
        List<Entry> entries = _byKey[entry.Key];
        entries.Remove(entry);
        if (entries.Count == 0)
        {
            _byKey.Remove(entry.Key);
        }
    }

    private sealed class Entry(string key, DateTimeOffset time, TItem item)
    {
        public string Key { get; } = key;

        public DateTimeOffset Time { get; } = time;

        public TItem Item { get; } = item;

        public bool Done { get; set; }

        public WindowItem<TItem> ToItem() => new(Key, Time, Item);
    }
}

/// <summary>One item of a <see cref="KeyedWindow{TItem}"/>: its key, its event time and itself.</summary>
/// <param name="Key">The key it is kept under.</param>
/// <param name="Time">Its event time.</param>
/// <param name="Item">The item.</param>
public readonly record struct WindowItem<TItem>(string Key, DateTimeOffset Time, TItem Item);
