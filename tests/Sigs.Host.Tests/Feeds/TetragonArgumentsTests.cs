using CsCheck;
using Sigs.Host.Feeds.Tetragon;

namespace Sigs.Host.Tests.Feeds;

/// <summary>Tetragon's <c>arguments</c> string split back into argv, against Tetragon's own join.</summary>
public class TetragonArgumentsTests
{
    /// <summary>Tetragon's join (pkg/process/args.go, ArgsDecoder), written again here from upstream as the reference.</summary>
    private static string TetragonJoin(IEnumerable<string> argv)
    {
        string args = "";
        foreach (string a in argv)
        {
            if (a.Contains(' ', StringComparison.Ordinal))
            {
                args = args + " \"" + a + "\"";
            }
            else
            {
                args = args == "" ? a : args + " " + a;
            }
        }

        return args;
    }

    /// <summary>Non-empty elements without quotes: spaces, tabs and the characters paths and flags use.</summary>
    private static readonly Gen<string[]> Argv = Gen.String[Gen.Char["ab /-=.\t_"], 1, 12].Array[0, 8];

    [Fact]
    public void Split_UndoesTetragonsJoin_ForElementsWithoutQuotesOrEmptiness() =>
        Argv.Sample(argv => Assert.Equal(argv, TetragonArguments.Split(TetragonJoin(argv))), iter: 20_000);

    [Fact]
    public void Split_AnyString_NeverThrows_AndGivesNoEmptyElements() =>
        Gen.String[Gen.Char["a \"\t/"], 0, 40].Sample(text => Assert.DoesNotContain("", TetragonArguments.Split(text)), iter: 20_000);

    [Theory]
    [InlineData("/etc/passwd", new[] { "/etc/passwd" })]
    [InlineData("-c \"echo hi\" /tmp/x", new[] { "-c", "echo hi", "/tmp/x" })]
    [InlineData(" \"a b\" c", new[] { "a b", "c" })] // the join puts a space before a quoted first element
    [InlineData("say \"x\"", new[] { "say", "\"x\"" })] // quotes of the element's own, no space: not the join's
    [InlineData("\"a\" b\" c", new[] { "a\" b", "c" })] // an element a" b, quoted by the join
    public void Split_TetragonsForms(string arguments, string[] expected) =>
        Assert.Equal(expected, TetragonArguments.Split(arguments));

    [Fact]
    public void Split_TheDocumentedLimits()
    {
        Assert.Equal(["a", "b"], TetragonArguments.Split(TetragonJoin(["a", "", "b"]))); // an empty element is lost
        Assert.Equal(["a b"], TetragonArguments.Split(TetragonJoin(["\"a", "b\""]))); // "a and b" merge into one
    }
}
