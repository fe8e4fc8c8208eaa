using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Rules;

/// <summary>
/// Reads Sigma documents into <see cref="SigmaRule"/> and <see cref="SigmaFilter"/>: the keys every rule needs
/// (<c>title</c>, <c>id</c>, <c>logsource</c>, <c>detection</c> with a <c>condition</c>) and the metadata Sigs
/// carries into findings. What is missing or of the wrong type is refused naming the file, the line and the key.
/// </summary>
internal static class SigmaReader
{
    public const int MaxSearches = 256;

    /// <summary>The document as a rule, a filter or a correlation.</summary>
    public static object Read(YamlMappingNode document, string file)
    {
        string title = Text(document, "title", file) ?? throw RuleException.At(file, document.Start, "no 'title'");
        string id = Text(document, "id", file) ?? throw RuleException.At(file, document.Start, "no 'id'");
        if (id.Length > 128 || id.Any(char.IsControl))
        {
            throw RuleException.At(file, document.Start, "'id' must be at most 128 characters without control characters");
        }

        var header = new SigmaHeader(
            file, (int)document.Start.Line, id, title, Text(document, "name", file), Text(document, "description", file), Text(document, "level", file) ?? "medium",
            Texts(document, "tags", file), Texts(document, "references", file), Texts(document, "falsepositives", file));
        if (Child(document, "correlation") is { } correlation)
        {
            return SigmaCorrelationReader.Read(document, correlation as YamlMappingNode ?? throw RuleException.At(file, correlation.Start, "'correlation' must be a mapping"), header);
        }

        SigmaLogSource logSource = LogSource(document, file);
        if (Child(document, "filter") is { } filterNode)
        {
            YamlMappingNode filter = filterNode as YamlMappingNode ?? throw RuleException.At(file, filterNode.Start, "'filter' must be a mapping");
            IReadOnlyList<string> rules = Texts(filter, "rules", file);
            if (rules.Count == 0)
            {
                throw RuleException.At(file, filter.Start, "'filter.rules' must name at least one rule (by id or name)");
            }

            return new SigmaFilter(file, (int)document.Start.Line, id, title, Text(document, "description", file), logSource, rules, Detection(filter, file, "filter", skip: "rules"));
        }

        YamlMappingNode detection = Child(document, "detection") as YamlMappingNode ?? throw RuleException.At(file, document.Start, "no 'detection' mapping");
        return new SigmaRule(header, logSource, Detection(detection, file, "detection"));
    }

    private static SigmaLogSource LogSource(YamlMappingNode document, string file)
    {
        YamlMappingNode source = Child(document, "logsource") as YamlMappingNode ?? throw RuleException.At(file, document.Start, "no 'logsource' mapping");
        return new SigmaLogSource(Text(source, "product", file)?.ToLowerInvariant(), Text(source, "category", file)?.ToLowerInvariant(), Text(source, "service", file)?.ToLowerInvariant());
    }

    private static SigmaDetection Detection(YamlMappingNode detection, string file, string key, string? skip = null)
    {
        YamlNode condition = Child(detection, "condition") ?? throw RuleException.At(file, detection.Start, $"no '{key}.condition'");
        string text = condition switch
        {
            YamlScalarNode { Value: { Length: > 0 } one } => one,
            // A list of conditions is their disjunction (the form older rules use).
            YamlSequenceNode { Children.Count: > 0 } list when list.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }) =>
                string.Join(" or ", list.Children.Select(c => $"({((YamlScalarNode)c).Value})")),
            _ => throw RuleException.At(file, condition.Start, $"'{key}.condition' must be a text or a list of texts"),
        };
        var searches = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach ((YamlNode name, YamlNode value) in detection.Children)
        {
            string identifier = (name as YamlScalarNode)?.Value ?? throw RuleException.At(file, name.Start, "a search identifier must be a name");
            if (identifier is "condition" or "timeframe" || identifier == skip)
            {
                continue;
            }

            if (searches.Count == MaxSearches)
            {
                throw RuleException.At(file, name.Start, $"more than {MaxSearches} search identifiers");
            }

            searches[identifier] = value;
        }

        return new SigmaDetection(file, searches, text, condition);
    }

    public static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: { } name } && name == key).Value;

    /// <summary>The text under <paramref name="key"/>, or null when it is missing or empty; refusals name it as <paramref name="label"/> (the key itself by default).</summary>
    public static string? Text(YamlMappingNode mapping, string key, string file, string? label = null) => Child(mapping, key) switch
    {
        null or YamlScalarNode { Value: null or "" or "~" or "null", Style: YamlDotNet.Core.ScalarStyle.Plain } => null,
        YamlScalarNode scalar => scalar.Value,
        { } other => throw RuleException.At(file, other.Start, $"'{label ?? key}' must be a text"),
    };

    /// <summary>The texts under <paramref name="key"/> (one text, or a list of them); none when it is missing.</summary>
    public static IReadOnlyList<string> Texts(YamlMappingNode mapping, string key, string file, string? label = null) => Child(mapping, key) switch
    {
        null => [],
        YamlScalarNode { Value: { Length: > 0 } one } => [one],
        YamlSequenceNode list => [.. list.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw RuleException.At(file, c.Start, $"'{label ?? key}' must be a list of texts"))],
        { } other => throw RuleException.At(file, other.Start, $"'{label ?? key}' must be a list of texts"),
    };
}
