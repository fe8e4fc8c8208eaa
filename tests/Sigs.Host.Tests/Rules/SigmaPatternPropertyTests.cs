using CsCheck;
using Sigs.Host.Rules;

namespace Sigs.Host.Tests.Rules;

/// <summary>
/// The compiled pattern (a literal comparison, or a non-backtracking regular expression) agrees with a plain
/// interpreter of Sigma's wildcards on any pattern and text, for every kind of match, cased or not.
/// </summary>
public class SigmaPatternPropertyTests
{
    private static readonly Gen<string> Texts = Gen.String[Gen.Char["abAB*?\\."], 0, 8];

    [Fact]
    public void CompiledPattern_AgreesWithAPlainWildcardInterpreter() =>
        Gen.Select(Texts, Texts, Gen.Int[0, 3], Gen.Bool).Sample(
            (pattern, text, kind, cased) =>
            {
                var match = (TextMatch)kind;
                bool expected = Interpret(pattern, text, match, cased);
                Assert.True(
                    expected == SigmaPattern.Compile(pattern, match, cased).IsMatch(text),
                    $"pattern '{pattern}' {match} cased={cased} on '{text}': the interpreter says {expected}");
            },
            iter: 20_000);

    /// <summary>Sigma's wildcards read the plain way: tokens, then matching by recursion over pattern and text.</summary>
    private static bool Interpret(string pattern, string text, TextMatch match, bool cased)
    {
        var tokens = new List<(char Kind, char Value)>(); // 'l' literal, '*' any run, '?' any one
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '*' or '?' or '\\')
            {
                tokens.Add(('l', pattern[++i]));
            }
            else
            {
                tokens.Add(pattern[i] is '*' or '?' ? (pattern[i], ' ') : ('l', pattern[i]));
            }
        }

        if (match is TextMatch.Contains or TextMatch.EndsWith)
        {
            tokens.Insert(0, ('*', ' '));
        }

        if (match is TextMatch.Contains or TextMatch.StartsWith)
        {
            tokens.Add(('*', ' '));
        }

        return Matches(tokens, 0, text, 0, cased);
    }

    private static bool Matches(List<(char Kind, char Value)> tokens, int t, string text, int s, bool cased)
    {
        if (t == tokens.Count)
        {
            return s == text.Length;
        }

        return tokens[t].Kind switch
        {
            '*' => Enumerable.Range(s, text.Length - s + 1).Any(next => Matches(tokens, t + 1, text, next, cased)),
            '?' => s < text.Length && Matches(tokens, t + 1, text, s + 1, cased),
            _ => s < text.Length && Same(tokens[t].Value, text[s], cased) && Matches(tokens, t + 1, text, s + 1, cased),
        };
    }

    private static bool Same(char a, char b, bool cased) => cased ? a == b : char.ToUpperInvariant(a) == char.ToUpperInvariant(b);
}
