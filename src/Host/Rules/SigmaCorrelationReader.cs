using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Rules;

/// <summary>
/// Reads a Sigma correlation document: <c>correlation: {type, rules, group-by, timespan, condition, aliases,
/// generate}</c> beside the usual title, id, level and tags. Anything missing, unknown or of the wrong type is refused
/// naming the file, the line and the key.
/// </summary>
internal static class SigmaCorrelationReader
{
    public const int MaxRules = 64;
    public static readonly TimeSpan MaxTimespan = TimeSpan.FromDays(7);

    public static SigmaCorrelation Read(YamlMappingNode document, YamlMappingNode correlation, SigmaHeader header)
    {
        string file = header.File;
        foreach (YamlNode key in correlation.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: "type" or "rules" or "group-by" or "timespan" or "condition" or "aliases" or "generate" })
            {
                throw RuleException.At(file, key.Start, $"'correlation.{(key as YamlScalarNode)?.Value}' is not a key of a correlation (type, rules, group-by, timespan, condition, aliases, generate)");
            }
        }

        string typeText = Text(correlation, "type", file) ?? throw RuleException.At(file, correlation.Start, "no 'correlation.type'");
        CorrelationType type = typeText switch
        {
            "event_count" => CorrelationType.EventCount,
            "value_count" => CorrelationType.ValueCount,
            "temporal" => CorrelationType.Temporal,
            "temporal_ordered" => CorrelationType.TemporalOrdered,
            _ => throw RuleException.At(file, correlation.Start, $"correlation type '{typeText}' is not event_count, value_count, temporal or temporal_ordered"),
        };
        IReadOnlyList<string> rules = Texts(correlation, "rules", file);
        if (rules.Count == 0 || rules.Count > MaxRules)
        {
            throw RuleException.At(file, correlation.Start, $"'correlation.rules' must name 1 to {MaxRules} rules (by id or name)");
        }

        if (rules.Distinct(StringComparer.Ordinal).Count() != rules.Count)
        {
            throw RuleException.At(file, correlation.Start, "'correlation.rules' names a rule twice");
        }

        if (type is CorrelationType.Temporal or CorrelationType.TemporalOrdered && rules.Count < 2)
        {
            throw RuleException.At(file, correlation.Start, $"a {typeText} correlation needs at least two rules");
        }

        TimeSpan timespan = Timespan(Text(correlation, "timespan", file) ?? throw RuleException.At(file, correlation.Start, "no 'correlation.timespan'"), correlation, file);
        CorrelationCondition? condition = Condition(correlation, type, file);
        var aliases = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (SigmaReader.Child(correlation, "aliases") is { } aliasNode)
        {
            YamlMappingNode map = aliasNode as YamlMappingNode ?? throw RuleException.At(file, aliasNode.Start, "'correlation.aliases' must map alias names to {rule: field} maps");
            foreach ((YamlNode name, YamlNode perRule) in map.Children)
            {
                string alias = (name as YamlScalarNode)?.Value ?? throw RuleException.At(file, name.Start, "an alias must be a name");
                YamlMappingNode fields = perRule as YamlMappingNode ?? throw RuleException.At(file, perRule.Start, $"alias '{alias}' must map rule ids or names to fields");
                var byRule = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach ((YamlNode rule, YamlNode field) in fields.Children)
                {
                    string reference = (rule as YamlScalarNode)?.Value ?? throw RuleException.At(file, rule.Start, "an alias's rule must be an id or a name");
                    byRule[reference] = (field as YamlScalarNode)?.Value is { Length: > 0 } f ? f : throw RuleException.At(file, field.Start, $"alias '{alias}' must name a field for '{reference}'");
                    if (!rules.Contains(reference))
                    {
                        throw RuleException.At(file, rule.Start, $"alias '{alias}' names '{reference}', which is not in 'correlation.rules'");
                    }
                }

                aliases[alias] = byRule;
            }
        }

        bool generate = SigmaReader.Child(correlation, "generate") switch
        {
            null => false,
            YamlScalarNode { Value: "true" or "True" or "TRUE" } => true,
            YamlScalarNode { Value: "false" or "False" or "FALSE" } => false,
            { } other => throw RuleException.At(file, other.Start, "'correlation.generate' must be true or false"),
        };
        return new SigmaCorrelation(header, type, rules, Texts(correlation, "group-by", file), timespan, condition, aliases, generate);
    }

    /// <summary>A timespan such as 30s, 5m, 1h or 2d.</summary>
    private static TimeSpan Timespan(string text, YamlMappingNode at, string file)
    {
        long? seconds = text.Length >= 2 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0
            ? text[^1] switch
            {
                's' => n,
                'm' => n <= MaxTimespan.TotalMinutes ? n * 60 : null,
                'h' => n <= MaxTimespan.TotalHours ? n * 3600 : null,
                'd' => n <= MaxTimespan.TotalDays ? n * 86400 : null,
                _ => null,
            }
            : null;
        return seconds is long valid && valid <= MaxTimespan.TotalSeconds ? TimeSpan.FromSeconds(valid)
            : throw RuleException.At(file, at.Start, $"'correlation.timespan' '{text}' must be a positive number with s, m, h or d, at most {MaxTimespan.TotalDays} days");
    }

    private static CorrelationCondition? Condition(YamlMappingNode correlation, CorrelationType type, string file)
    {
        YamlNode? node = SigmaReader.Child(correlation, "condition");
        if (node is null)
        {
            return type is CorrelationType.Temporal or CorrelationType.TemporalOrdered ? null
                : throw RuleException.At(file, correlation.Start, "no 'correlation.condition' (a count such as gte: 10)");
        }

        YamlMappingNode map = node as YamlMappingNode ?? throw RuleException.At(file, node.Start, "'correlation.condition' must map gt, gte, lt, lte or eq to a number");
        var comparisons = new List<(string, long)>();
        string? field = null;
        foreach ((YamlNode key, YamlNode value) in map.Children)
        {
            string name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (name == "field")
            {
                field = (value as YamlScalarNode)?.Value is { Length: > 0 } f ? f : throw RuleException.At(file, value.Start, "'condition.field' must name a field");
                continue;
            }

            if (name is not ("gt" or "gte" or "lt" or "lte" or "eq"))
            {
                throw RuleException.At(file, key.Start, $"'condition.{name}' is not gt, gte, lt, lte, eq or field");
            }

            comparisons.Add((name, value is YamlScalarNode { Value: { } number } && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long n)
                ? n : throw RuleException.At(file, value.Start, $"'condition.{name}' must be a whole number")));
        }

        if (comparisons.Count == 0)
        {
            throw RuleException.At(file, node.Start, "'correlation.condition' compares nothing (gt, gte, lt, lte or eq)");
        }

        if (type == CorrelationType.ValueCount && field is null)
        {
            throw RuleException.At(file, node.Start, "a value_count correlation's condition needs 'field', the field whose values are counted");
        }

        return new CorrelationCondition(comparisons, field);
    }

    private static string? Text(YamlMappingNode mapping, string key, string file) => SigmaReader.Text(mapping, key, file, $"correlation.{key}");

    private static IReadOnlyList<string> Texts(YamlMappingNode mapping, string key, string file) => SigmaReader.Texts(mapping, key, file, $"correlation.{key}");
}
