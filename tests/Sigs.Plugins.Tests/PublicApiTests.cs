using System.Reflection;
using System.Xml.Linq;

namespace Sigs.Plugins.Tests;

/// <summary>
/// The SDK's public API is locked by Microsoft.CodeAnalysis.PublicApiAnalyzers: every public symbol of
/// <c>Sigs.Plugins</c> and <c>Sigs.Plugins.Testing</c>, with its nullability, <c>required</c> and constraints, is
/// in the project's <c>PublicAPI.Shipped.txt</c> (the API of <c>ShippedApiVersion</c>) or
/// <c>PublicAPI.Unshipped.txt</c> (what this version changes), or the build fails. These tests hold the version to
/// what the unshipped changes need, as SemVer says: an addition a newer minor, a removal (<c>*REMOVED*</c>) a
/// newer major.
/// </summary>
public class PublicApiTests
{
    private static string RepoRoot => typeof(PublicApiTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    [Theory]
    [InlineData("src/Plugins/Sigs.Plugins.csproj")]
    [InlineData("src/Testing/Sigs.Plugins.Testing.csproj")]
    public void UnshippedApiChanges_ComeWithTheVersionTheyNeed(string project)
    {
        string path = Path.Combine(RepoRoot, project);
        XElement properties = XDocument.Load(path).Root!;
        Version version = Version.Parse(properties.Descendants("Version").Single().Value);
        Version shipped = Version.Parse(properties.Descendants("ShippedApiVersion").Single().Value);
        string[] unshipped = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(path)!, "PublicAPI.Unshipped.txt"));

        Assert.Null(ApiVersioning.Problem(shipped, version, unshipped));
    }

    [Theory]
    [InlineData("1.5", "1.5.0", "Sigs.Plugins.KeyedWindow<TItem>.Count.get -> int", "adds to the API of 1.5 but is version 1.5.0: an addition needs a newer minor version")]
    [InlineData("1.5", "1.5.3", "Sigs.Plugins.KeyedWindow<TItem>.Count.get -> int", "adds to the API of 1.5 but is version 1.5.3: an addition needs a newer minor version")]
    [InlineData("1.5", "1.6.0", "*REMOVED*Sigs.Plugins.ProcessInfo.Tty.get -> string?", "removes from the API of 1.5 but is version 1.6.0: a removal or change needs a newer major version")]
    [InlineData("1.5", "1.6.0", "Sigs.Plugins.KeyedWindow<TItem>.Count.get -> int", null)]
    [InlineData("1.5", "2.0.0", "*REMOVED*Sigs.Plugins.ProcessInfo.Tty.get -> string?", null)]
    [InlineData("1.5", "1.5.1", "", null)]
    public void AnApiChange_WithoutTheVersionItNeeds_IsAProblem(string shipped, string version, string line, string? expected)
    {
        Assert.Equal(expected, ApiVersioning.Problem(Version.Parse(shipped), Version.Parse(version), ["#nullable enable", line]));
    }

    [Fact]
    public void SdkVersion_IsTheAssemblyVersion()
    {
        Assert.Equal(new Version(1, 6, 0, 0), typeof(Signature).Assembly.GetName().Version);
    }

    /// <summary>The SemVer rule for the lines of a PublicAPI.Unshipped.txt.</summary>
    private static class ApiVersioning
    {
        public static string? Problem(Version shipped, Version version, IEnumerable<string> unshipped)
        {
            string[] changes = [.. unshipped.Where(l => l.Length > 0 && !l.StartsWith('#'))];
            if (changes.Any(l => l.StartsWith("*REMOVED*", StringComparison.Ordinal)) && version.Major <= shipped.Major)
            {
                return $"removes from the API of {shipped} but is version {version}: a removal or change needs a newer major version";
            }

            return changes.Length > 0 && new Version(version.Major, version.Minor) <= shipped
                ? $"adds to the API of {shipped} but is version {version}: an addition needs a newer minor version"
                : null;
        }
    }
}
