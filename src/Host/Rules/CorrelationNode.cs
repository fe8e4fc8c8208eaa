using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>
/// A correlation at work: its state, and the correlations it names at work below it. An event is offered to each
/// detection rule it names (asking the rule index first) and to each inner correlation; each match, or each inner
/// firing, is a hit for every group its values make (a list value groups by each element).
/// </summary>
internal sealed class CorrelationNode
{
    /// <summary>At most this many groups one event joins (a product of list values).</summary>
    public const int MaxGroupsPerEvent = 16;

    /// <summary>A group-by or counted value is kept to this many characters.</summary>
    public const int MaxValueLength = 1024;

    private static string Capped(string value) => value.Length <= MaxValueLength ? value : value[..MaxValueLength];

    private readonly CompiledCorrelation _compiled;
    private readonly RuleIndex _index;
    private readonly CorrelationNode?[] _inner;

    public CorrelationNode(CompiledCorrelation compiled, RuleIndex index, CorrelationLimits limits, CorrelationCounts? counts = null)
    {
        _compiled = compiled;
        _index = index;
        Counts = counts ?? new CorrelationCounts();
        State = new CorrelationState(compiled, limits, Counts);
        _inner = [.. compiled.Members.Select(m => m is CorrelationMember.Inner inner ? new CorrelationNode(inner.Correlation, index, limits, Counts) : null)];
    }

    /// <summary>What every state below and including this one let go or found late.</summary>
    public CorrelationCounts Counts { get; }

    public CorrelationState State { get; }

    public SigmaCorrelation Correlation => _compiled.Correlation;

    /// <summary>Every state below and including this one.</summary>
    public IReadOnlyList<CorrelationState> States => _states ??= [.. _inner.OfType<CorrelationNode>().SelectMany(n => n.States).Prepend(State)];

    private CorrelationState[]? _states;

    public void Advance(DateTimeOffset time)
    {
        State.Advance(time);
        foreach (CorrelationNode? inner in _inner)
        {
            inner?.Advance(time);
        }
    }

    public void Clear()
    {
        State.Clear();
        foreach (CorrelationNode? inner in _inner)
        {
            inner?.Clear();
        }
    }

    /// <summary>Offers the event; the firings it completed here.</summary>
    public List<CorrelationFiring> Offer(SecurityEvent securityEvent)
    {
        var firings = new List<CorrelationFiring>();
        for (int m = 0; m < _compiled.Members.Length; m++)
        {
            switch (_compiled.Members[m])
            {
                case CorrelationMember.Rule rule:
                    if (!Matches(rule, securityEvent))
                    {
                        break;
                    }

                    string? counted = rule.Counted is null ? null : SigmaFieldCompiler.Text(Single(rule.Counted(securityEvent))) is { } text ? Capped(text) : null;
                    foreach (string[] group in Groups(rule, securityEvent))
                    {
                        Fire(firings, group, new CorrelationHit(securityEvent.Time, m, counted, securityEvent.Source, securityEvent.Name), securityEvent);
                    }

                    break;
                case CorrelationMember.Inner inner:
                    foreach (CorrelationFiring below in _inner[m]!.Offer(securityEvent))
                    {
                        string[] group = [.. inner.Groups.Select(i => below.Group[i])];
                        string? value = inner.Counted is int c ? below.Group[c] : null;
                        Fire(firings, group, new CorrelationHit(below.End, m, value, "sigma", inner.Reference), below.Latest);
                    }

                    break;
            }
        }

        return firings;
    }

    /// <summary>The groups the event would join here (for forwarding: the event's correlation keys), whether or not it completes one.</summary>
    public IEnumerable<string[]> GroupsOf(SecurityEvent securityEvent)
    {
        for (int m = 0; m < _compiled.Members.Length; m++)
        {
            IEnumerable<string[]> groups = _compiled.Members[m] switch
            {
                CorrelationMember.Rule rule when Matches(rule, securityEvent) => Groups(rule, securityEvent),
                CorrelationMember.Inner inner => _inner[m]!.GroupsOf(securityEvent).Select(below => inner.Groups.Select(i => below[i]).ToArray()),
                _ => [],
            };
            foreach (string[] group in groups)
            {
                yield return group;
            }
        }
    }

    /// <summary>The rule matches the event: one of its logsource's events (a condition such as <c>not filter</c> would hold on any other), and its condition.</summary>
    private bool Matches(CorrelationMember.Rule rule, SecurityEvent securityEvent)
    {
        CompiledRule compiled = _index.Rules[rule.Place];
        return compiled.Source.Selectors.Any(s => s.Name == securityEvent.Name) && _index.MayMatch(securityEvent, rule.Place) && compiled.Matches(securityEvent);
    }

    private void Fire(List<CorrelationFiring> firings, string[] group, CorrelationHit hit, SecurityEvent of)
    {
        if (State.Add(group, hit, of) is { } firing)
        {
            firings.Add(firing);
        }
    }

    /// <summary>The group-by values of a matching event: one group per combination of list elements, none when a value is missing.</summary>
    private static List<string[]> Groups(CorrelationMember.Rule rule, SecurityEvent securityEvent)
    {
        List<string[]> groups = [[]];
        foreach (FieldReader reader in rule.Groups)
        {
            string[] values = reader(securityEvent) switch
            {
                IReadOnlyList<string> list => [.. list.Select(Capped).Distinct(StringComparer.Ordinal)],
                { } one when SigmaFieldCompiler.Text(one) is { } text => [Capped(text)],
                _ => [],
            };
            groups = [.. groups.SelectMany(g => values.Select(v => (string[])[.. g, v])).Take(MaxGroupsPerEvent)];
        }

        return groups;
    }

    private static object? Single(object? value) => value is IReadOnlyList<string> list ? (list.Count > 0 ? list[0] : null) : value;
}
