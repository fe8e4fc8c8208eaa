using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>
/// A rule compiled once: its logsource's mapping, its searches, and its condition (with the conditions of the
/// filters that name it ANDed on) as one test. <see cref="Explain"/> says, for a matching event, which searches
/// matched and the values of the fields they read.
/// </summary>
internal sealed class CompiledRule
{
    private readonly Func<SecurityEvent, bool> _condition;
    private readonly IReadOnlyList<SigmaSearch> _searches;

    public CompiledRule(SigmaRule rule, LogSourceMapping source, Func<SecurityEvent, bool> condition, IReadOnlyList<SigmaSearch> searches, IReadOnlyList<string> filters, RuleGate gate)
    {
        Gate = gate.Texts;
        PathPrefixes = gate.PathPrefixes;
        Rule = rule;
        Source = source;
        _condition = condition;
        _searches = searches;
        Filters = filters;
    }

    public SigmaRule Rule { get; }

    public LogSourceMapping Source { get; }

    /// <summary>The ids of the filters applied to it.</summary>
    public IReadOnlyList<string> Filters { get; }

    /// <summary>Texts one of which a matching event holds (<see cref="FieldGate"/>); null when the rule has none, so it is always run.</summary>
    public FieldGate[]? Gate { get; }

    /// <summary>Paths one of which a matching event's file starts with; null when the rule may match a file anywhere.</summary>
    public IReadOnlyList<string>? PathPrefixes { get; }

    public bool Matches(SecurityEvent securityEvent) => (Source.Accepts?.Invoke(securityEvent) ?? true) && _condition(securityEvent);

    /// <summary>The rule, the searches that matched <paramref name="securityEvent"/>, and the values of the fields they read.</summary>
    public IReadOnlyDictionary<string, object?> Explain(SecurityEvent securityEvent)
    {
        SigmaSearch[] matched = [.. _searches.Where(s => s.Matches(securityEvent))];
        var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string field, FieldReader reader) in matched.SelectMany(s => s.Fields))
        {
            if (reader(securityEvent) is { } value)
            {
                values[field] = value;
            }
        }

        return new Dictionary<string, object?>
        {
            ["rule"] = Rule.Title,
            ["matched"] = matched.Select(s => s.Name).ToArray(),
            ["values"] = values,
        };
    }
}
