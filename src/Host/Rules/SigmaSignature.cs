using System.Globalization;
using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>
/// A Sigma rule run as a signature: its id, title and level, MITRE tactics and techniques from its <c>attack.*</c>
/// tags, its references, description and false positives; the events of its logsource; a finding per matching
/// event, saying which searches matched and the values they read. The rule runs only when its rule set's index says
/// it may match (<see cref="RuleIndex.MayMatch"/>).
/// </summary>
internal sealed class SigmaSignature(RuleIndex index, int place, SignatureMetadata metadata) : Signature
{
    public CompiledRule Rule { get; } = index.Rules[place];

    public override SignatureMetadata Metadata { get; } = metadata;

    public override IReadOnlyList<EventSelector> Selectors => Rule.Source.Selectors;

    /// <summary>
    /// For the native probe: where the rule's files can be, from the paths its condition anchors (a
    /// <c>TargetFilename</c> equal to or starting with an absolute path); everything when it anchors none. Paths are
    /// watched as written: Sigma compares ignoring case, a file system does not.
    /// </summary>
    public override IReadOnlyList<string> FilePatterns { get; } =
        !index.Rules[place].Source.Selectors.Any(s => s.Name == EventNames.FileOpen) ? []
        : index.Rules[place].PathPrefixes is { } prefixes ? [.. prefixes.Select(p => p + "*")]
        : ["*"];

    public override void OnEvent(SecurityEvent securityEvent)
    {
        if (index.MayMatch(securityEvent, place) && Rule.Matches(securityEvent))
        {
            Context.Report(securityEvent, Rule.Explain(securityEvent));
        }
    }

    /// <summary>The signature's metadata from the rule; throws <see cref="RuleException"/> for a level Sigma does not have.</summary>
    public static SignatureMetadata MetadataOf(CompiledRule compiled)
    {
        SigmaRule rule = compiled.Rule;
        string[] attack = [.. rule.Tags.Where(t => t.StartsWith("attack.", StringComparison.OrdinalIgnoreCase)).Select(t => t["attack.".Length..])];
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["sigma.file"] = rule.File, ["sigma.level"] = rule.Level };
        if (rule.FalsePositives.Count > 0)
        {
            properties["sigma.falsepositives"] = string.Join("; ", rule.FalsePositives);
        }

        if (compiled.Filters.Count > 0)
        {
            properties["sigma.filters"] = string.Join(", ", compiled.Filters);
        }

        return new SignatureMetadata
        {
            Id = rule.Id,
            Version = "sigma",
            Name = rule.Title,
            EventName = compiled.Source.Selectors[0].Name,
            Description = rule.Description ?? rule.Title,
            Severity = rule.Level.ToLowerInvariant() switch
            {
                "informational" => Severity.Info,
                "low" => Severity.Low,
                "medium" => Severity.Medium,
                "high" => Severity.High,
                "critical" => Severity.Critical,
                _ => throw new RuleException($"{rule.File}:{rule.Line}: level '{rule.Level}' is not informational, low, medium, high or critical"),
            },
            Techniques = [.. attack.Where(IsTechnique).Select(t => t.ToUpperInvariant())],
            Tactics = [.. attack.Where(t => !IsTechnique(t) && !IsGroupOrSoftware(t)).Select(Tactic)],
            Tags = rule.Tags,
            References = rule.References,
            Properties = properties,
        };
    }

    /// <summary>attack.t1552 or attack.t1552.001.</summary>
    private static bool IsTechnique(string tag) => tag.Length > 1 && tag[0] is 't' or 'T' && char.IsAsciiDigit(tag[1]);

    /// <summary>attack.g0032 (a group) or attack.s0002 (software).</summary>
    private static bool IsGroupOrSoftware(string tag) => tag.Length > 1 && tag[0] is 'g' or 'G' or 's' or 'S' && char.IsAsciiDigit(tag[1]);

    /// <summary>credential-access (Sigma's form) as Credential Access (MITRE's name).</summary>
    private static string Tactic(string tag) => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(tag.Replace('-', ' ').Replace('_', ' '));
}
