using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tetragon;

/// <summary>
/// The <c>matchArgs</c> values a TracingPolicy needs for the loaded signatures' file patterns
/// (deploy/tetragon/tracingpolicy.yaml holds the shipped signatures'): a pattern's literal start as a
/// <c>Prefix</c> (up to its first <c>*</c>), or, for a pattern that starts with <c>*</c> and has no other, its
/// end as a <c>Postfix</c>. The kernel then sends a superset; the signatures match exactly.
/// </summary>
internal sealed record TetragonPolicyPaths(IReadOnlyList<string> OpenPrefixes, IReadOnlyList<string> OpenPostfixes, IReadOnlyList<string> RenamePrefixes, IReadOnlyList<string> RenamePostfixes)
{
    public static TetragonPolicyPaths From(IEnumerable<SignatureDemand> signatures)
    {
        var open = (Prefixes: new SortedSet<string>(StringComparer.Ordinal), Postfixes: new SortedSet<string>(StringComparer.Ordinal));
        var rename = (Prefixes: new SortedSet<string>(StringComparer.Ordinal), Postfixes: new SortedSet<string>(StringComparer.Ordinal));
        foreach (SignatureDemand signature in signatures.Where(s => s.Selects(EventSources.Tetragon)))
        {
            bool opens = signature.Selectors.Any(s => s.Name is EventNames.FileOpen or EventSelector.Any);
            bool renames = signature.Selectors.Any(s => s.Name is EventNames.FileRename or EventSelector.Any);
            foreach (string pattern in signature.FilePatterns)
            {
                (string Value, bool IsPostfix) match = Match(pattern);
                if (opens)
                {
                    (match.IsPostfix ? open.Postfixes : open.Prefixes).Add(match.Value);
                }

                if (renames)
                {
                    (match.IsPostfix ? rename.Postfixes : rename.Prefixes).Add(match.Value);
                }
            }
        }

        return new TetragonPolicyPaths([.. open.Prefixes], [.. open.Postfixes], [.. rename.Prefixes], [.. rename.Postfixes]);
    }

    /// <summary>One pattern as a Prefix or a Postfix value; a pattern that is neither watches everything below '/'.</summary>
    public static (string Value, bool IsPostfix) Match(string pattern)
    {
        int star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star == 0 && pattern.IndexOf('*', 1) < 0 && pattern.Length > 1)
        {
            return (pattern[1..], true);
        }

        return (star switch
        {
            < 0 => pattern,
            0 => "/",
            _ => pattern[..star],
        }, false);
    }
}
