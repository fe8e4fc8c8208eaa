namespace Sigs.Plugins;

/// <summary>
/// A case-sensitive pattern where <c>*</c> matches any run of characters, <c>/</c> included, and every other
/// character matches itself. Matching allocates nothing.
/// </summary>
public sealed class WildcardPattern
{
    private readonly string _first;
    private readonly string _last;
    private readonly string[] _middle;

    /// <summary>Creates a pattern.</summary>
    public WildcardPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        Pattern = pattern;
        string[] segments = pattern.Split('*');
        HasWildcard = segments.Length > 1;
        _first = segments[0];
        _last = HasWildcard ? segments[^1] : string.Empty;
        _middle = HasWildcard ? [.. segments[1..^1].Where(s => s.Length > 0)] : [];
        MinimumLength = pattern.Length - (segments.Length - 1);
    }

    /// <summary>The pattern text.</summary>
    public string Pattern { get; }

    /// <summary>The characters before the first <c>*</c> (the whole pattern when it has none).</summary>
    public string LiteralPrefix => _first;

    /// <summary>The characters after the last <c>*</c> (the whole pattern when it has none).</summary>
    public string LiteralSuffix => HasWildcard ? _last : _first;

    /// <summary>True when the pattern contains <c>*</c>.</summary>
    public bool HasWildcard { get; }

    /// <summary>The length of the shortest value that can match.</summary>
    public int MinimumLength { get; }

    /// <summary>True when <paramref name="value"/> matches the whole pattern.</summary>
    public bool IsMatch(ReadOnlySpan<char> value)
    {
        if (!HasWildcard)
        {
            return value.SequenceEqual(Pattern);
        }

        if (value.Length < MinimumLength
            || !value.StartsWith(_first, StringComparison.Ordinal)
            || !value.EndsWith(_last, StringComparison.Ordinal))
        {
            return false;
        }

        // With only '*' as a wildcard, taking each middle segment at its leftmost place is always safe:
        // it leaves the most room for the segments after it.
        ReadOnlySpan<char> rest = value[_first.Length..(value.Length - _last.Length)];
        foreach (string segment in _middle)
        {
            int at = rest.IndexOf(segment, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }

            rest = rest[(at + segment.Length)..];
        }

        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Pattern;
}
