using System.Globalization;
using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>What a Sigma rule or correlation says about itself, for its signature's metadata and its refusals.</summary>
internal sealed record SigmaHeader(
    string File,
    int Line,
    string Id,
    string Title,
    string? Name,
    string? Description,
    string Level,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> References,
    IReadOnlyList<string> FalsePositives)
{
    /// <summary>True when <paramref name="reference"/> (a rule's <c>rules:</c> entry) names this rule by id or name.</summary>
    public bool IsNamedBy(string reference) => reference == Id || (Name is not null && reference == Name);
}

/// <summary>
/// A signature's metadata from a Sigma header: id, title and level, MITRE tactics and techniques from its
/// <c>attack.*</c> tags, references, description, and the file and false positives as properties.
/// </summary>
internal static class SigmaMetadata
{
    /// <summary>The metadata; throws <see cref="RuleException"/> for a level Sigma does not have.</summary>
    public static SignatureMetadata Of(SigmaHeader rule, string eventName, IReadOnlyDictionary<string, string>? more = null)
    {
        string[] attack = [.. rule.Tags.Where(t => t.StartsWith("attack.", StringComparison.OrdinalIgnoreCase)).Select(t => t["attack.".Length..])];
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["sigma.file"] = rule.File, ["sigma.level"] = rule.Level };
        if (rule.FalsePositives.Count > 0)
        {
            properties["sigma.falsepositives"] = string.Join("; ", rule.FalsePositives);
        }

        foreach ((string key, string value) in more ?? new Dictionary<string, string>())
        {
            properties[key] = value;
        }

        return new SignatureMetadata
        {
            Id = rule.Id,
            Version = "sigma",
            Name = rule.Title,
            EventName = eventName,
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
