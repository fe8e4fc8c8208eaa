using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Rules;

/// <summary>What a rule or filter says its events come from; each part may be missing.</summary>
internal sealed record SigmaLogSource(string? Product, string? Category, string? Service)
{
    public override string ToString() => string.Join(", ", new[] { ("product", Product), ("category", Category), ("service", Service) }.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}: {p.Item2}"));
}

/// <summary>
/// A detection: its search identifiers (each a map of field conditions, or a list of such maps) and the
/// condition over them, as written, with the file and line they came from for refusals.
/// </summary>
internal sealed record SigmaDetection(string File, IReadOnlyDictionary<string, YamlNode> Searches, string Condition, YamlNode ConditionNode);

/// <summary>One Sigma detection rule, as read from its document (nothing compiled yet).</summary>
internal sealed record SigmaRule(SigmaHeader Header, SigmaLogSource LogSource, SigmaDetection Detection)
{
    public string File => Header.File;

    public int Line => Header.Line;

    public string Id => Header.Id;

    public string Title => Header.Title;

    public string? Name => Header.Name;
}

/// <summary>
/// A Sigma filter (a meta-rule): its condition is ANDed to the condition of each rule it names (by id or name),
/// so that what it describes, typically <c>not selection</c>, is excluded from their matches.
/// </summary>
internal sealed record SigmaFilter(string File, int Line, string Id, string Title, string? Description, SigmaLogSource LogSource, IReadOnlyList<string> Rules, SigmaDetection Detection);
