namespace Sigs.Host.Rules;

/// <summary>
/// Resolves correlations against the loaded rules: every name in <c>rules:</c> must be a detection rule or another
/// correlation (by id or name, without cycles), every group-by field (through its alias) a field of each rule's
/// logsource or a group-by field of each inner correlation, and the condition within what a group may keep.
/// </summary>
internal sealed class CorrelationCompiler(IReadOnlyList<CompiledRule> rules, IReadOnlyList<SigmaCorrelation> correlations, CorrelationLimits limits)
{
    /// <summary>How deep correlations of correlations may nest (each level is its own state).</summary>
    public const int MaxDepth = 8;

    private readonly Dictionary<SigmaCorrelation, CompiledCorrelation> _compiled = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<SigmaCorrelation> _compiling = new(ReferenceEqualityComparer.Instance);

    /// <summary>The correlation compiled; throws <see cref="RuleException"/> naming its file and line and what is wrong.</summary>
    public CompiledCorrelation Compile(SigmaCorrelation correlation)
    {
        if (_compiled.TryGetValue(correlation, out CompiledCorrelation? done))
        {
            return done;
        }

        SigmaHeader header = correlation.Header;
        if (!_compiling.Add(correlation))
        {
            throw Refuse(header, "it is part of a cycle of correlations naming each other");
        }

        if (_compiling.Count > MaxDepth)
        {
            throw Refuse(header, $"correlations nest deeper than {MaxDepth}");
        }

        try
        {
            if (correlation.Condition is { } condition && condition.Needed > limits.MaxEventsPerGroup && correlation.Type != CorrelationType.Temporal)
            {
                throw Refuse(header, $"its condition needs {condition.Needed} events in a group, more than rules.correlation.maxEventsPerGroup ({limits.MaxEventsPerGroup})");
            }

            if (correlation.Condition is { } bounds && bounds.Comparisons.All(c => c.Operator is "lt" or "lte"))
            {
                throw Refuse(header, "a condition with only lt or lte would hold at a group's first event (Sigs reports as soon as a condition holds); add gt, gte or eq");
            }

            if (correlation.Type != CorrelationType.EventCount && correlation.Type != CorrelationType.ValueCount && correlation.Rules.Count > limits.MaxEventsPerGroup)
            {
                throw Refuse(header, $"it names {correlation.Rules.Count} rules, more than rules.correlation.maxEventsPerGroup ({limits.MaxEventsPerGroup}) hits a group may keep");
            }

            var members = new List<CorrelationMember>();
            foreach (string reference in correlation.Rules)
            {
                members.Add(Member(correlation, reference));
            }

            if (members.Select(Target).Distinct().Count() != members.Count)
            {
                throw Refuse(header, "'correlation.rules' names one rule twice (by id and by name)");
            }

            return _compiled[correlation] = new CompiledCorrelation(correlation, [.. members]);
        }
        finally
        {
            _compiling.Remove(correlation);
        }
    }

    private CorrelationMember Member(SigmaCorrelation correlation, string reference)
    {
        SigmaHeader header = correlation.Header;
        string? counted = correlation.Type == CorrelationType.ValueCount ? correlation.Condition!.Field : null;
        int place = -1;
        for (int i = 0; i < rules.Count; i++)
        {
            if (rules[i].Rule.Header.IsNamedBy(reference))
            {
                place = i;
                break;
            }
        }

        if (place >= 0)
        {
            LogSourceMapping source = rules[place].Source;
            FieldReader Reader(string field)
            {
                string own = correlation.FieldFor(field, reference);
                return source.Field(own) ?? throw Refuse(header, $"field '{own}' (for '{field}') is no field of rule '{reference}' ({source.Name})");
            }

            return new CorrelationMember.Rule(reference, place, [.. correlation.GroupBy.Select(Reader)], counted is null ? null : Reader(counted));
        }

        SigmaCorrelation? inner = correlations.FirstOrDefault(c => c.Header.IsNamedBy(reference))
            ?? throw Refuse(header, $"'{reference}' in correlation.rules is no loaded rule or correlation (by id or name)");
        CompiledCorrelation compiled = Compile(inner);
        int Index(string field)
        {
            string own = correlation.FieldFor(field, reference);
            int index = inner.GroupBy.ToList().IndexOf(own);
            return index >= 0 ? index : throw Refuse(header, $"field '{own}' (for '{field}') is not among the group-by fields of correlation '{reference}'");
        }

        return new CorrelationMember.Inner(reference, compiled, [.. correlation.GroupBy.Select(Index)], counted is null ? null : Index(counted));
    }

    /// <summary>What a member names: a detection rule's place, or a correlation.</summary>
    private static object Target(CorrelationMember member) => member switch
    {
        CorrelationMember.Rule rule => rule.Place,
        CorrelationMember.Inner inner => inner.Correlation,
        _ => member,
    };

    private static RuleException Refuse(SigmaHeader header, string reason) => new($"{header.File}:{header.Line}: correlation '{header.Id}': {reason}");
}
