namespace Sigs.Plugins;

/// <summary>
/// A set of <see cref="WildcardPattern"/>s matched together. Patterns are grouped by their last character, so a
/// value is compared only with the patterns that can end like it (plus those ending in <c>*</c>); matching
/// allocates nothing.
/// </summary>
public sealed class WildcardPatternSet
{
    private const int AsciiBuckets = 128;
    private readonly WildcardPattern[][] _byLastCharacter;
    private readonly WildcardPattern[] _otherLastCharacter;
    private readonly WildcardPattern[] _endingInStar;

    /// <summary>Creates a set from pattern texts.</summary>
    public WildcardPatternSet(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        WildcardPattern[] all = [.. patterns.Distinct(StringComparer.Ordinal).Select(p => new WildcardPattern(p))];
        Patterns = all;
        _endingInStar = [.. all.Where(p => p.Pattern[^1] == '*')];
        _otherLastCharacter = [.. all.Where(p => p.Pattern[^1] != '*' && p.Pattern[^1] >= AsciiBuckets)];
        _byLastCharacter = new WildcardPattern[AsciiBuckets][];
        for (int c = 0; c < AsciiBuckets; c++)
        {
            _byLastCharacter[c] = [.. all.Where(p => p.Pattern[^1] == c && c != '*')];
        }
    }

    /// <summary>The patterns, in the order given (duplicates removed).</summary>
    public IReadOnlyList<WildcardPattern> Patterns { get; }

    /// <summary>True when any pattern matches <paramref name="value"/>.</summary>
    public bool IsMatch(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        char last = value[^1];
        return AnyMatch(last < AsciiBuckets ? _byLastCharacter[last] : _otherLastCharacter, value) || AnyMatch(_endingInStar, value);
    }

    /// <summary>The first of <paramref name="values"/> that any pattern matches, or null.</summary>
    public string? FirstMatch(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return null;
        }

        for (int i = 0; i < values.Count; i++)
        {
            if (IsMatch(values[i]))
            {
                return values[i];
            }
        }

        return null;
    }

    private static bool AnyMatch(WildcardPattern[] patterns, ReadOnlySpan<char> value)
    {
        foreach (WildcardPattern pattern in patterns)
        {
            if (pattern.IsMatch(value))
            {
                return true;
            }
        }

        return false;
    }
}
