using System.Text.RegularExpressions;

namespace Sigs.Host.Rules;

/// <summary>A parsed condition: search identifiers joined by <c>and</c>, <c>or</c>, <c>not</c>.</summary>
internal abstract record SigmaCondition
{
    /// <summary>A search identifier of the detection.</summary>
    public sealed record Search(string Name) : SigmaCondition;

    public sealed record All(IReadOnlyList<SigmaCondition> Parts) : SigmaCondition;

    public sealed record Any(IReadOnlyList<SigmaCondition> Parts) : SigmaCondition;

    public sealed record Not(SigmaCondition Inner) : SigmaCondition;

    /// <summary>The search identifiers it names.</summary>
    public IEnumerable<string> Searches() => this switch
    {
        Search search => [search.Name],
        All all => all.Parts.SelectMany(p => p.Searches()),
        Any any => any.Parts.SelectMany(p => p.Searches()),
        Not not => not.Inner.Searches(),
        _ => [],
    };
}

/// <summary>
/// Parses a Sigma condition: <c>and</c>, <c>or</c>, <c>not</c> (binding tighter than <c>and</c>, which binds
/// tighter than <c>or</c>), parentheses, <c>1 of X*</c>, <c>all of X*</c>, <c>1 of them</c>, <c>all of them</c>
/// (<c>them</c>: every identifier not starting with <c>_</c>). Quantifiers are expanded over the rule's
/// identifiers here, so evaluation knows only searches. Bounded in length and depth.
/// </summary>
internal sealed partial class SigmaConditionParser
{
    public const int MaxLength = 8192;
    public const int MaxDepth = 64;

    private readonly IReadOnlyCollection<string> _identifiers;
    private readonly List<string> _tokens;
    private int _next;
    private int _depth;

    private SigmaConditionParser(string text, IReadOnlyCollection<string> identifiers)
    {
        _identifiers = identifiers;
        _tokens = [.. Token().Matches(text).Select(m => m.Value)];
    }

    /// <summary>The condition over <paramref name="identifiers"/>; throws <see cref="FormatException"/> with the reason.</summary>
    public static SigmaCondition Parse(string text, IReadOnlyCollection<string> identifiers)
    {
        if (text.Length > MaxLength)
        {
            throw new FormatException($"the condition is longer than {MaxLength} characters");
        }

        if (text.Contains('|', StringComparison.Ordinal))
        {
            throw new FormatException("an aggregation in the condition (the old '| count() ...' form): write a correlation rule instead");
        }

        if (Token().Replace(text, string.Empty).Trim().Length > 0)
        {
            throw new FormatException($"the condition has characters it cannot use: '{Token().Replace(text, string.Empty).Trim()}'");
        }

        var parser = new SigmaConditionParser(text, identifiers);
        SigmaCondition condition = parser.ParseOr();
        return parser._next == parser._tokens.Count ? condition : throw new FormatException($"unexpected '{parser._tokens[parser._next]}' in the condition");
    }

    private SigmaCondition ParseOr()
    {
        var parts = new List<SigmaCondition> { ParseAnd() };
        while (Accept("or"))
        {
            parts.Add(ParseAnd());
        }

        return parts.Count == 1 ? parts[0] : new SigmaCondition.Any(parts);
    }

    private SigmaCondition ParseAnd()
    {
        var parts = new List<SigmaCondition> { ParseNot() };
        while (Accept("and"))
        {
            parts.Add(ParseNot());
        }

        return parts.Count == 1 ? parts[0] : new SigmaCondition.All(parts);
    }

    private SigmaCondition ParseNot()
    {
        if (++_depth > MaxDepth)
        {
            throw new FormatException($"the condition is nested deeper than {MaxDepth} levels");
        }

        try
        {
            return Accept("not") ? new SigmaCondition.Not(ParseNot()) : ParsePrimary();
        }
        finally
        {
            _depth--;
        }
    }

    private SigmaCondition ParsePrimary()
    {
        string token = Take("a search identifier, 'not', '(' or a quantifier");
        if (token == "(")
        {
            SigmaCondition inner = ParseOr();
            Expect(")");
            return inner;
        }

        if (token.ToLowerInvariant() is "1" or "any" or "all")
        {
            Expect("of");
            string target = Take("an identifier pattern or 'them' after 'of'");
            string[] matched = [.. target.Equals("them", StringComparison.OrdinalIgnoreCase)
                ? _identifiers.Where(i => !i.StartsWith('_'))
                : _identifiers.Where(i => Pattern(target).IsMatch(i))];
            if (matched.Length == 0)
            {
                throw new FormatException($"'{token} of {target}' matches no search identifier");
            }

            SigmaCondition[] searches = [.. matched.Order(StringComparer.Ordinal).Select(i => new SigmaCondition.Search(i))];
            return searches.Length == 1 ? searches[0] : token.Equals("all", StringComparison.OrdinalIgnoreCase) ? new SigmaCondition.All(searches) : new SigmaCondition.Any(searches);
        }

        if (token is ")" || IsKeyword(token))
        {
            throw new FormatException($"unexpected '{token}' in the condition");
        }

        return _identifiers.Contains(token) ? new SigmaCondition.Search(token) : throw new FormatException($"the condition names '{token}', which the detection does not define");
    }

    private static bool IsKeyword(string token) => token.ToLowerInvariant() is "and" or "or" or "not" or "of";

    private static Regex Pattern(string wildcard) =>
        new("^" + Regex.Escape(wildcard).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private bool Accept(string keyword)
    {
        if (_next < _tokens.Count && _tokens[_next].Equals(keyword, StringComparison.OrdinalIgnoreCase))
        {
            _next++;
            return true;
        }

        return false;
    }

    private void Expect(string token)
    {
        if (!Accept(token))
        {
            throw new FormatException(_next < _tokens.Count ? $"expected '{token}', not '{_tokens[_next]}', in the condition" : $"expected '{token}' at the end of the condition");
        }
    }

    private string Take(string what) => _next < _tokens.Count ? _tokens[_next++] : throw new FormatException($"expected {what} at the end of the condition");

    /// <summary>Parentheses, and words of identifier characters (letters, digits, _ - . and the * of a pattern).</summary>
    [GeneratedRegex(@"[()]|[\p{L}\p{N}_.\-*]+", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
