using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>
/// A Sigma correlation run as a signature: the events of every rule it names (correlations of correlations
/// included), grouped by its group-by values, windowed by event time, a finding each time its condition holds for a
/// group. The finding's event is the group's latest by event time (the one that completed it, unless one arrived
/// late); its data names the correlation type, the group's values
/// under their group-by names, the window, and the events that made it (at most <see cref="MaxEventsInFinding"/>). For
/// forwarding, an event's correlation keys are its groups, so a group meets on one correlator.
/// </summary>
internal sealed class SigmaCorrelationSignature : Signature
{
    public const int MaxEventsInFinding = 20;

    private readonly CompiledCorrelation _compiled;
    private readonly CorrelationNode _root;
    private long _evictionsLogged;
    private long _evictionsCounted;
    private long _lateLogged;

    public SigmaCorrelationSignature(CompiledCorrelation compiled, RuleIndex index, CorrelationLimits limits)
    {
        _compiled = compiled;
        _root = new CorrelationNode(compiled, index, limits);
        CompiledRule[] leaves = [.. compiled.Leaves.Select(place => index.Rules[place])];
        Selectors = [.. leaves.SelectMany(r => r.Source.Selectors).DistinctBy(s => s.Name)];
        FilePatterns = [.. leaves.Where(r => r.Source.Selectors.Any(s => s.Name == EventNames.FileOpen))
            .SelectMany(r => r.PathPrefixes is { } prefixes ? prefixes.Select(p => p + "*") : ["*"]).Distinct(StringComparer.Ordinal)];
        Metadata = SigmaMetadata.Of(compiled.Correlation.Header, "sigma_correlation", new Dictionary<string, string>
        {
            ["sigma.correlation"] = TypeName(compiled.Correlation.Type),
            ["sigma.rules"] = string.Join(", ", compiled.Correlation.Rules),
        });
    }

    public SigmaHeader Header => _compiled.Correlation.Header;

    public override SignatureMetadata Metadata { get; }

    public override IReadOnlyList<EventSelector> Selectors { get; }

    public override IReadOnlyList<string> FilePatterns { get; }

    /// <summary>Groups and events let go because a bound was reached, over every correlation below this one.</summary>
    public long Evictions => _root.Counts.Evictions;

    public int OpenGroups => _root.States.Sum(s => s.OpenGroups);

    /// <summary>Hits that came after the watermark had passed their window, over every correlation below this one.</summary>
    public long Late => _root.Counts.Late;

    public override IReadOnlyList<string> CorrelationKeys(SecurityEvent securityEvent) =>
        [.. _root.GroupsOf(securityEvent).Select(group => string.Join('\u001f', group)).Distinct(StringComparer.Ordinal)];

    public override void OnEvent(SecurityEvent securityEvent)
    {
        foreach (CorrelationFiring firing in _root.Offer(securityEvent))
        {
            Context.Report(firing.Latest, Data(firing));
        }

        long evictions = Evictions;
        if (evictions > _evictionsCounted)
        {
            Context.CountEvictions(evictions - _evictionsCounted);
            _evictionsCounted = evictions;
        }

        if (evictions > _evictionsLogged && (_evictionsLogged == 0 || evictions / 1000 > _evictionsLogged / 1000))
        {
            Context.Log(SignatureLogLevel.Warning, $"{evictions} correlation groups or events evicted so far: more than rules.correlation.maxGroups or maxEventsPerGroup were open");
            _evictionsLogged = evictions;
        }

        long late = Late;
        if (late > _lateLogged && (_lateLogged == 0 || late / 1000 > _lateLogged / 1000))
        {
            Context.Log(SignatureLogLevel.Warning, $"{late} events came after the watermark had passed their window and were not counted (a sensor's clock ahead, or a feed later than its lateness)");
            _lateLogged = late;
        }
    }

    public override void OnSignal(Signal signal)
    {
        if (signal.Kind == SignalKind.EndOfInput)
        {
            _root.Clear();
            return;
        }

        _root.Advance(signal.Time);
    }

    private Dictionary<string, object?> Data(CorrelationFiring firing)
    {
        SigmaCorrelation correlation = _compiled.Correlation;
        var group = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < correlation.GroupBy.Count; i++)
        {
            group[correlation.GroupBy[i]] = firing.Group[i];
        }

        return new Dictionary<string, object?>
        {
            ["correlation"] = TypeName(correlation.Type),
            ["rule"] = correlation.Header.Title,
            ["group"] = group,
            ["count"] = firing.Count,
            ["window"] = new Dictionary<string, object?> { ["start"] = firing.Start, ["end"] = firing.End, ["timespanSeconds"] = correlation.Timespan.TotalSeconds },
            ["events"] = firing.Hits.Take(MaxEventsInFinding).Select(h => new Dictionary<string, object?>
            {
                ["time"] = h.Time,
                ["rule"] = correlation.Rules[h.Member],
                ["source"] = h.Source,
                ["name"] = h.Name,
            }).ToArray(),
        };
    }

    private static string TypeName(CorrelationType type) => type switch
    {
        CorrelationType.EventCount => "event_count",
        CorrelationType.ValueCount => "value_count",
        CorrelationType.Temporal => "temporal",
        _ => "temporal_ordered",
    };
}
