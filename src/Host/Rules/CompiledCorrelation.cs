namespace Sigs.Host.Rules;

/// <summary>One rule a correlation names: a detection rule (by its place in the rule index) or another correlation.</summary>
internal abstract record CorrelationMember(string Reference)
{
    /// <summary>A detection rule, with the readers of the correlation's group-by fields (aliases applied) and of its counted field.</summary>
    public sealed record Rule(string Reference, int Place, FieldReader[] Groups, FieldReader? Counted) : CorrelationMember(Reference);

    /// <summary>A correlation, with where each group-by field of the outer one is among its own (aliases applied).</summary>
    public sealed record Inner(string Reference, CompiledCorrelation Correlation, int[] Groups, int? Counted) : CorrelationMember(Reference);
}

/// <summary>A correlation compiled once: its rule as read, and each rule it names resolved.</summary>
internal sealed record CompiledCorrelation(SigmaCorrelation Correlation, CorrelationMember[] Members)
{
    /// <summary>The places (in the rule index) of every detection rule below it, correlations of correlations included.</summary>
    public IEnumerable<int> Leaves => Members.SelectMany(m => m switch
    {
        CorrelationMember.Rule rule => [rule.Place],
        CorrelationMember.Inner inner => inner.Correlation.Leaves,
        _ => [],
    }).Distinct();
}

/// <summary>How much state one correlation may keep (<c>rules.correlation</c> in the configuration).</summary>
internal sealed record CorrelationLimits(int MaxGroups = CorrelationLimits.DefaultMaxGroups, int MaxEventsPerGroup = CorrelationLimits.DefaultMaxEventsPerGroup)
{
    public const int DefaultMaxGroups = 10_000;
    public const int DefaultMaxEventsPerGroup = 100;

    public static readonly CorrelationLimits Default = new();
}
