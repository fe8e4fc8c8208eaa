namespace Sigs.Host.Rules;

/// <summary>
/// What every event a condition matches must have, as far as the compiler can tell: texts one of which a field
/// holds (<see cref="FieldGate"/>, for the rule index), and paths its file starts with (for the native probe's
/// watch). Null parts are unknown. Worked out through the condition: an <c>and</c> keeps what one part knows, an
/// <c>or</c> what all parts know together, a <c>not</c> nothing.
/// </summary>
internal sealed record RuleGate(FieldGate[]? Texts, string[]? PathPrefixes)
{
    public static readonly RuleGate None = new(null, null);

    public static RuleGate All(IReadOnlyCollection<RuleGate> parts) => new(
        FieldGate.Best(parts.Select(p => p.Texts)),
        parts.Select(p => p.PathPrefixes).OfType<string[]>().OrderByDescending(p => p.Min(prefix => prefix.Length)).FirstOrDefault());

    public static RuleGate Any(IReadOnlyCollection<RuleGate> parts) => new(
        FieldGate.Union([.. parts.Select(p => p.Texts)]),
        parts.Count > 0 && parts.All(p => p.PathPrefixes is not null) ? [.. parts.SelectMany(p => p.PathPrefixes!).Distinct(StringComparer.Ordinal)] : null);
}
