using System.Text;
using System.Text.RegularExpressions;

namespace Sigs.Host.Rules;

/// <summary>How a text value is compared: the whole value, or a part of it (the <c>contains</c>, <c>startswith</c>, <c>endswith</c> modifiers).</summary>
internal enum TextMatch
{
    Equals,
    Contains,
    StartsWith,
    EndsWith,
}

/// <summary>
/// One Sigma text value compiled: a literal compared with <see cref="string.Equals(string, StringComparison)"/>
/// and its kin when it has no wildcard, else a regular expression on the non-backtracking engine. Wildcards are
/// <c>*</c> (any run) and <c>?</c> (one character); <c>\*</c>, <c>\?</c> and <c>\\</c> stand for the characters
/// themselves, and a backslash before anything else is itself. Case-insensitive unless <c>cased</c>.
/// </summary>
internal sealed class SigmaPattern
{
    private readonly string? _literal;
    private readonly Regex? _regex;
    private readonly TextMatch _match;
    private readonly StringComparison _comparison;

    private SigmaPattern(string? literal, Regex? regex, TextMatch match, bool cased)
    {
        _literal = literal;
        _regex = regex;
        _match = match;
        _comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
    }

    public static SigmaPattern Compile(string value, TextMatch match, bool cased)
    {
        SigmaPattern pattern = CompileText(value, match, cased);
        int wildcard = value.AsSpan().IndexOfAny('*', '?', '\\');
        string literalStart = wildcard < 0 ? value : value[..wildcard];
        pattern.AbsolutePathPrefix = match is TextMatch.Equals or TextMatch.StartsWith && literalStart.StartsWith('/') ? literalStart : null;
        return pattern;
    }

    private static SigmaPattern CompileText(string value, TextMatch match, bool cased)
    {
        var literal = new StringBuilder(value.Length);
        var regex = new StringBuilder("^");
        bool wildcard = false;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '\\' && i + 1 < value.Length && value[i + 1] is '*' or '?' or '\\')
            {
                c = value[++i];
                literal.Append(c);
                regex.Append(Regex.Escape(c.ToString()));
            }
            else if (c is '*' or '?')
            {
                wildcard = true;
                regex.Append(c == '*' ? ".*" : ".");
            }
            else
            {
                literal.Append(c);
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        if (!wildcard)
        {
            return new SigmaPattern(literal.ToString(), null, match, cased);
        }

        string body = regex.ToString(1, regex.Length - 1);
        string anchored = match switch
        {
            TextMatch.Contains => ".*" + body + ".*",
            TextMatch.StartsWith => body + ".*",
            TextMatch.EndsWith => ".*" + body,
            _ => body,
        };
        var options = RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | (cased ? RegexOptions.None : RegexOptions.IgnoreCase);
        return new SigmaPattern(null, new Regex("^(?:" + anchored + ")$", options), match, cased);
    }

    public bool IsMatch(string text) => _regex?.IsMatch(text) ?? _match switch
    {
        TextMatch.Contains => text.Contains(_literal!, _comparison),
        TextMatch.StartsWith => text.StartsWith(_literal!, _comparison),
        TextMatch.EndsWith => text.EndsWith(_literal!, _comparison),
        _ => text.Equals(_literal, _comparison),
    };

    /// <summary>
    /// The text a match must contain, compared ignoring case: the literal of a pattern without wildcards; null for a
    /// wildcard pattern (its regular expression's case rules are not the ordinal ones, so no literal stands for it).
    /// </summary>
    public string? RequiredText => _regex is null && _literal!.Length > 0 ? _literal : null;

    /// <summary>
    /// The absolute path every match starts with, for a whole-value or <c>startswith</c> pattern: its text up to the
    /// first wildcard or escape (a superset of what it matches); null when it does not start with <c>/</c>.
    /// </summary>
    public string? AbsolutePathPrefix { get; private set; }

    public override string ToString() => _literal ?? _regex!.ToString();
}
