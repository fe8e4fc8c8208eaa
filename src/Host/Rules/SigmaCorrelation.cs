namespace Sigs.Host.Rules;

/// <summary>The four correlation types of the Sigma correlation specification.</summary>
internal enum CorrelationType
{
    /// <summary>At least (or at most...) so many events of the rules in one group within the timespan.</summary>
    EventCount,

    /// <summary>So many distinct values of a field among the group's events within the timespan.</summary>
    ValueCount,

    /// <summary>Every rule (or so many of them) matched in one group within the timespan, in any order.</summary>
    Temporal,

    /// <summary>Every rule matched in one group within the timespan, in the order listed.</summary>
    TemporalOrdered,
}

/// <summary>A correlation's condition: comparisons that must all hold, and for value_count the field counted.</summary>
internal sealed record CorrelationCondition(IReadOnlyList<(string Operator, long Value)> Comparisons, string? Field)
{
    public bool Holds(long count) => Comparisons.All(c => c.Operator switch
    {
        "gt" => count > c.Value,
        "gte" => count >= c.Value,
        "lt" => count < c.Value,
        "lte" => count <= c.Value,
        _ => count == c.Value,
    });

    /// <summary>The least count that can hold (a group never needs to keep more events than this).</summary>
    public long Needed => Comparisons.Select(c => c.Operator switch { "gt" => c.Value + 1, "gte" or "eq" => c.Value, _ => 1 }).DefaultIfEmpty(1).Max();
}

/// <summary>
/// One Sigma correlation rule, as read: the rules it correlates (by id or name, rules or correlations), the fields
/// it groups by, the timespan, the condition, field aliases (an alias names, per rule, the field that stands for it)
/// and whether the correlated rules also report on their own (<c>generate</c>).
/// </summary>
internal sealed record SigmaCorrelation(
    SigmaHeader Header,
    CorrelationType Type,
    IReadOnlyList<string> Rules,
    IReadOnlyList<string> GroupBy,
    TimeSpan Timespan,
    CorrelationCondition? Condition,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Aliases,
    bool Generate)
{
    /// <summary>The field of the rule named <paramref name="reference"/> that stands for <paramref name="field"/>: its alias there, else the field itself.</summary>
    public string FieldFor(string field, string reference) =>
        Aliases.TryGetValue(field, out IReadOnlyDictionary<string, string>? perRule) && perRule.TryGetValue(reference, out string? aliased) ? aliased : field;
}
