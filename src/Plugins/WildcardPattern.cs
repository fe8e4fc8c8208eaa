namespace Sigs.Plugins;

/// <summary>
/// A case-sensitive pattern where <c>*</c> matches any run of characters, <c>/</c> included, and every other
/// character matches itself. Matching allocates nothing.
/// </summary>
public sealed class WildcardPattern
{
    /// <summary>Creates a pattern.</summary>
    public WildcardPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        Pattern = pattern;
        int star = pattern.IndexOf('*', StringComparison.Ordinal);
        LiteralPrefix = star < 0 ? pattern : pattern[..star];
        HasWildcard = star >= 0;
    }

    /// <summary>The pattern text.</summary>
    public string Pattern { get; }

    /// <summary>The characters before the first <c>*</c> (the whole pattern when it has none).</summary>
    public string LiteralPrefix { get; }

    /// <summary>True when the pattern contains <c>*</c>.</summary>
    public bool HasWildcard { get; }

    /// <summary>True when <paramref name="value"/> matches the whole pattern.</summary>
    public bool IsMatch(ReadOnlySpan<char> value)
    {
        if (!HasWildcard)
        {
            return value.SequenceEqual(Pattern);
        }

        if (!value.StartsWith(LiteralPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        // Classic two-pointer glob match with backtracking to the most recent star.
        ReadOnlySpan<char> pattern = Pattern;
        int p = LiteralPrefix.Length, v = LiteralPrefix.Length, starAt = -1, resumeAt = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starAt = p++;
                resumeAt = v;
            }
            else if (p < pattern.Length && pattern[p] == value[v])
            {
                p++;
                v++;
            }
            else if (starAt >= 0)
            {
                p = starAt + 1;
                v = ++resumeAt;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>True when any of <paramref name="patterns"/> matches <paramref name="value"/>.</summary>
    public static bool MatchesAny(IReadOnlyList<WildcardPattern> patterns, ReadOnlySpan<char> value)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        for (int i = 0; i < patterns.Count; i++)
        {
            if (patterns[i].IsMatch(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => Pattern;
}
