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
    public static SignatureMetadata MetadataOf(CompiledRule compiled) =>
        SigmaMetadata.Of(compiled.Rule.Header, compiled.Source.Selectors[0].Name, compiled.Filters.Count > 0 ? new Dictionary<string, string> { ["sigma.filters"] = string.Join(", ", compiled.Filters) } : null);
}
