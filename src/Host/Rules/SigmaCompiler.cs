using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>
/// Compiles a rule, with the filters that name it: the logsource to its mapping, each search once, the condition
/// to one test over them. Filter searches live in their own names, so a filter's <c>selection</c> is not the rule's.
/// </summary>
internal static class SigmaCompiler
{
    public static CompiledRule Compile(SigmaRule rule, IReadOnlyList<SigmaFilter> filters, IReadOnlyDictionary<string, IReadOnlyList<string>> placeholders)
    {
        LogSourceMapping source;
        try
        {
            source = LogSources.Of(rule.LogSource);
        }
        catch (FormatException ex)
        {
            throw new RuleException($"{rule.File}:{rule.Line}: {ex.Message}");
        }

        (Func<SecurityEvent, bool> condition, List<SigmaSearch> searches, RuleGate gate) = Detection(rule.Detection, source, placeholders);
        foreach (SigmaFilter filter in filters)
        {
            if (filter.LogSource != rule.LogSource)
            {
                throw new RuleException($"{filter.File}:{filter.Line}: filter '{filter.Id}' has logsource '{filter.LogSource}', rule '{rule.Id}' has '{rule.LogSource}'");
            }

            (Func<SecurityEvent, bool> filterCondition, _, _) = Detection(filter.Detection, source, placeholders); // ANDed on: the rule's gate stays
            Func<SecurityEvent, bool> before = condition;
            condition = e => before(e) && filterCondition(e);
        }

        return new CompiledRule(rule, source, condition, searches, [.. filters.Select(f => f.Id)], gate);
    }

    private static (Func<SecurityEvent, bool>, List<SigmaSearch>, RuleGate) Detection(SigmaDetection detection, LogSourceMapping source, IReadOnlyDictionary<string, IReadOnlyList<string>> placeholders)
    {
        SigmaCondition condition;
        try
        {
            condition = SigmaConditionParser.Parse(detection.Condition, [.. detection.Searches.Keys]);
        }
        catch (FormatException ex)
        {
            throw RuleException.At(detection.File, detection.ConditionNode.Start, ex.Message);
        }

        var fields = new SigmaFieldCompiler(source, placeholders, detection.File);
        Dictionary<string, SigmaSearch> searches = condition.Searches().Distinct(StringComparer.Ordinal)
            .ToDictionary(name => name, name => SigmaSearch.Compile(name, detection.Searches[name], fields, detection.File), StringComparer.Ordinal);
        return (Test(condition, searches), [.. searches.Values], Gate(condition, searches));
    }

    /// <summary>What the event has whenever the condition holds (<see cref="RuleGate"/>; a <c>not</c> says nothing).</summary>
    private static RuleGate Gate(SigmaCondition condition, IReadOnlyDictionary<string, SigmaSearch> searches) => condition switch
    {
        SigmaCondition.Search search => searches[search.Name].Gate,
        SigmaCondition.All all => RuleGate.All([.. all.Parts.Select(p => Gate(p, searches))]),
        SigmaCondition.Any any => RuleGate.Any([.. any.Parts.Select(p => Gate(p, searches))]),
        _ => RuleGate.None,
    };

    /// <summary>The condition as one test; <c>and</c> and <c>or</c> stop at the first part that decides.</summary>
    private static Func<SecurityEvent, bool> Test(SigmaCondition condition, IReadOnlyDictionary<string, SigmaSearch> searches)
    {
        switch (condition)
        {
            case SigmaCondition.Search search:
                return searches[search.Name].Matches;
            case SigmaCondition.Not not:
                Func<SecurityEvent, bool> inner = Test(not.Inner, searches);
                return e => !inner(e);
            case SigmaCondition.All all:
                Func<SecurityEvent, bool>[] each = [.. all.Parts.Select(p => Test(p, searches))];
                return e => each.All(t => t(e));
            case SigmaCondition.Any any:
                Func<SecurityEvent, bool>[] either = [.. any.Parts.Select(p => Test(p, searches))];
                return e => either.Any(t => t(e));
            default:
                throw new ArgumentOutOfRangeException(nameof(condition));
        }
    }
}
