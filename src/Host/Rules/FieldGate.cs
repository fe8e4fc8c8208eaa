using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>
/// Texts one of which a field holds (compared ignoring case) whenever a condition on it holds: a necessary test the
/// rule index runs for many rules at once. <see cref="Key"/> names the field within its logsource, so rules testing
/// one field share one search. A field Sigs joins from a list (<c>CommandLine</c>) is read through
/// <see cref="Joined"/>, so the test needs no joined string.
/// </summary>
internal sealed record FieldGate(string Key, FieldReader Reader, Func<SecurityEvent, IReadOnlyList<string>?>? Joined, string[] Texts)
{
    /// <summary>The gate of a conjunction: the part whose shortest text is longest (the rarest to hold), or none when no part has one.</summary>
    public static FieldGate[]? Best(IEnumerable<FieldGate[]?> parts) =>
        parts.OfType<FieldGate[]>().OrderByDescending(g => g.SelectMany(f => f.Texts).Min(t => t.Length)).ThenBy(g => g.Sum(f => f.Texts.Length)).FirstOrDefault();

    /// <summary>The gate of a disjunction: every part's, or none when a part has none.</summary>
    public static FieldGate[]? Union(IReadOnlyCollection<FieldGate[]?> parts) =>
        parts.Count > 0 && parts.All(p => p is not null) ? [.. parts.SelectMany(p => p!)] : null;
}
