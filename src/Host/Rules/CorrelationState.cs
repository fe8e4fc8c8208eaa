namespace Sigs.Host.Rules;

/// <summary>What the states of one correlation signature let go, or found late (one set, so reading it costs nothing).</summary>
internal sealed class CorrelationCounts
{
    /// <summary>Groups and hits let go because a bound was reached.</summary>
    public long Evictions { get; set; }

    /// <summary>Hits that came after the watermark had passed their window (a sensor's clock ahead, or a feed behind its lateness).</summary>
    public long Late { get; set; }
}

/// <summary>One event (or inner finding) a correlation counted: when, from which of its rules, the counted value, and what it was.</summary>
internal sealed record CorrelationHit(DateTimeOffset Time, int Member, string? Counted, string Source, string Name);

/// <summary>
/// A correlation's condition held for one group: its values, the window, the hits that made it, and the latest of
/// its events (by event time, so a late arrival does not change which event the finding names).
/// </summary>
internal sealed record CorrelationFiring(string[] Group, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<CorrelationHit> Hits, long Count, Plugins.SecurityEvent Latest);

/// <summary>
/// The open groups of one correlation, by event time: each group keeps its hits of the last timespan (sorted by
/// time, so events that arrive late within the lateness bound count as if on time), at most
/// <see cref="CorrelationLimits.MaxEventsPerGroup"/> of them, and at most <see cref="CorrelationLimits.MaxGroups"/>
/// groups are open; past either bound the oldest goes, counted in <see cref="CorrelationCounts.Evictions"/>. When the condition holds the
/// group fires once and starts over. The watermark is the engine's (ticks carry it, less the feeds' lateness): groups
/// whose newest hit it has passed by the timespan are dropped, and a hit it has passed is late, counted and not kept.
/// Not thread-safe: its signature's runner calls it.
/// </summary>
internal sealed class CorrelationState(CompiledCorrelation compiled, CorrelationLimits limits, CorrelationCounts counts)
{
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly LinkedList<Group> _byUse = new();
    private readonly TimeSpan _span = compiled.Correlation.Timespan;
    private DateTimeOffset _watermark = DateTimeOffset.MinValue;
    private DateTimeOffset _swept = DateTimeOffset.MinValue;

    public int OpenGroups => _groups.Count;



    /// <summary>Counts a hit for a group (<paramref name="of"/>: the event it stands for); the firing when the condition now holds.</summary>
    public CorrelationFiring? Add(string[] group, CorrelationHit hit, Plugins.SecurityEvent of)
    {
        if (_watermark > DateTimeOffset.MinValue + _span && hit.Time < _watermark - _span)
        {
            counts.Late++;
            return null; // later than the window could still hold it
        }

        string key = string.Join('\u001f', group);
        if (!_groups.TryGetValue(key, out Group? open))
        {
            open = new Group(key, group);
            open.Use = _byUse.AddLast(open);
            _groups[key] = open;
            if (_groups.Count > limits.MaxGroups)
            {
                Group oldest = _byUse.First!.Value;
                Remove(oldest);
                counts.Evictions++;
            }
        }
        else
        {
            _byUse.Remove(open.Use!);
            _byUse.AddLast(open.Use!);
        }

        // By time, and at one time by the order of the correlation's rules (so equal times satisfy temporal_ordered).
        int at = open.Hits.Count;
        while (at > 0 && (open.Hits[at - 1].Time > hit.Time || (open.Hits[at - 1].Time == hit.Time && open.Hits[at - 1].Member > hit.Member)))
        {
            at--;
        }

        open.Hits.Insert(at, hit);
        if (open.Latest is null || of.Time >= open.Latest.Time)
        {
            open.Latest = Kept(of);
        }

        DateTimeOffset newest = open.Hits[^1].Time;
        int stale = 0;
        while (stale < open.Hits.Count && newest - open.Hits[stale].Time > _span)
        {
            stale++;
        }

        open.Hits.RemoveRange(0, stale);
        while (open.Hits.Count > limits.MaxEventsPerGroup)
        {
            open.Hits.RemoveAt(Redundant(open.Hits));
            counts.Evictions++;
        }

        if (open.Hits.Count == 0 || Count(open.Hits) is not long count || !Holds(count))
        {
            return null;
        }

        var firing = new CorrelationFiring(group, open.Hits[0].Time, newest, [.. open.Hits], count, open.Latest!);
        Remove(open);
        return firing;
    }

    /// <summary>
    /// The hit to let go when a group is full: the oldest whose part in the condition a later hit plays too (the same
    /// value for value_count, the same rule for the temporal types), else the oldest. A flood of one value or one
    /// rule does not push out the one hit of another.
    /// </summary>
    private int Redundant(List<CorrelationHit> hits)
    {
        if (compiled.Correlation.Type == CorrelationType.EventCount)
        {
            return 0;
        }

        var later = new HashSet<string>(StringComparer.Ordinal);
        int oldestRedundant = -1;
        for (int i = hits.Count - 1; i >= 0; i--)
        {
            string part = compiled.Correlation.Type == CorrelationType.ValueCount ? hits[i].Counted ?? string.Empty : hits[i].Member.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!later.Add(part))
            {
                oldestRedundant = i;
            }
        }

        return Math.Max(oldestRedundant, 0);
    }

    /// <summary>The event a group keeps for its finding, without an audit request's body (up to 64 KiB that no finding needs).</summary>
    private static Plugins.SecurityEvent Kept(Plugins.SecurityEvent e) =>
        e.Audit is { RequestObject: not null } audit ? e with { Audit = audit with { RequestObject = null } } : e;

    /// <summary>Moves the watermark; now and then drops the groups it has passed.</summary>
    public void Advance(DateTimeOffset time)
    {
        if (time <= _watermark)
        {
            return;
        }

        _watermark = time;
        if (time - _swept < _span / 2)
        {
            return;
        }

        _swept = time;
        foreach (Group group in _groups.Values.Where(g => time - g.Hits[^1].Time > _span).ToList())
        {
            Remove(group);
        }
    }

    public void Clear()
    {
        _groups.Clear();
        _byUse.Clear();
    }

    /// <summary>What the condition compares, or null when the hits do not make the type's pattern (temporal_ordered's order).</summary>
    private long? Count(List<CorrelationHit> hits)
    {
        int members = compiled.Members.Length;
        switch (compiled.Correlation.Type)
        {
            case CorrelationType.EventCount:
                return hits.Count;
            case CorrelationType.ValueCount:
                return hits.Select(h => h.Counted).OfType<string>().Distinct(StringComparer.Ordinal).Count();
            case CorrelationType.Temporal:
                return hits.Select(h => h.Member).Distinct().Count();
            default:
                int next = 0;
                foreach (CorrelationHit hit in hits)
                {
                    if (hit.Member == next && ++next == members)
                    {
                        return members;
                    }
                }

                return null;
        }
    }

    private bool Holds(long count) => compiled.Correlation.Condition is { } condition
        ? condition.Holds(count)
        : count == compiled.Members.Length; // temporal types without a condition: every rule

    private void Remove(Group group)
    {
        _groups.Remove(group.Key);
        _byUse.Remove(group.Use!);
    }

    private sealed class Group(string key, string[] values)
    {
        public string Key { get; } = key;

        public string[] Values { get; } = values;

        public List<CorrelationHit> Hits { get; } = [];

        public LinkedListNode<Group>? Use { get; set; }

        /// <summary>The latest event of the group by event time: one per group, so state stays bounded.</summary>
        public Plugins.SecurityEvent? Latest { get; set; }
    }
}
