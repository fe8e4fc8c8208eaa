using NetArchTest.Rules;
using Sigs.Host.Pipeline;
using Xunit.Abstractions;

namespace Sigs.Host.Tests.Layering;

/// <summary>src/Host's top folders use only the folders below them (docs/architecture.md), so there is no import cycle.</summary>
public class FolderDependencyTests(ITestOutputHelper output)
{
    /// <summary>Each folder and the folders it may use; a folder not listed may not be used by any.</summary>
    private static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["Common"] = [],
        ["Collections"] = [],
        ["Contract"] = [],
        ["Configuration"] = ["Common", "Contract"],
        ["Grpc"] = ["Common"],
        ["Engine"] = ["Common", "Contract", "Configuration"],
        ["Enrichment"] = ["Common", "Collections", "Contract"],
        ["Loading"] = ["Common", "Contract", "Configuration", "Engine"],
        ["Rules"] = ["Common", "Contract"],
        ["Outputs"] = ["Common", "Contract", "Configuration", "Engine", "Nats"],
        ["Nats"] = ["Common", "Contract", "Configuration"],
        ["Forwarding"] = ["Common", "Contract", "Configuration", "Engine", "Nats"],
        ["Feeds"] = ["Common", "Collections", "Contract", "Configuration", "Grpc", "Engine", "Enrichment", "Nats"],
        ["Pipeline"] = ["Common", "Collections", "Contract", "Configuration", "Engine", "Enrichment", "Loading", "Rules", "Outputs", "Feeds", "Nats", "Forwarding"],
        ["Hosting"] = ["Common", "Contract", "Configuration", "Engine", "Enrichment", "Loading", "Rules", "Outputs", "Feeds", "Nats", "Forwarding", "Pipeline"],
        ["Admin"] = ["Common", "Contract", "Configuration", "Engine", "Enrichment", "Loading", "Rules", "Outputs", "Feeds", "Nats", "Forwarding", "Pipeline", "Hosting"],
        ["Cli"] = ["Common", "Contract", "Configuration", "Engine", "Enrichment", "Loading", "Rules", "Outputs", "Feeds", "Nats", "Forwarding", "Pipeline", "Hosting", "Admin"],
        ["TestKit"] = ["Common", "Contract", "Configuration", "Engine", "Loading", "Outputs", "Feeds", "Pipeline"], // the public seam of Sigs.Plugins.Testing
    };


    /// <summary>
    /// The folders inside Feeds/ ("" is Feeds/ itself) and the ones each may use: what the sensors share lives
    /// below them (Feeds/, Json/), each sensor's folder maps its own sensor, and only Files/ (any format, detected)
    /// sits above them.
    /// </summary>
    private static readonly Dictionary<string, string[]> FeedsMayUse = new()
    {
        [""] = [],
        ["Json"] = [""],
        ["Falco"] = ["", "Json", "KubernetesAudit"], // Falco's k8saudit plugin: audit events decoded as the webhook's are
        ["KubernetesAudit"] = ["", "Json"],
        ["Native"] = ["", "Json"],
        ["Nats"] = ["", "Json"],
        ["Tetragon"] = ["", "Json"],
        ["Tracee"] = ["", "Json"],
        ["Files"] = ["", "Json", "Falco", "KubernetesAudit", "Tracee"],
    };

    [Fact]
    public void TheAllowedUses_HaveNoCycle()
    {
        AssertNoCycle(MayUse);
        AssertNoCycle(FeedsMayUse);
    }

    [Fact]
    public void EveryFolderInsideFeeds_UsesOnlyTheFoldersBelowIt()
    {
        Assert.Equal(FeedsMayUse.Keys.Where(f => f.Length > 0).Order(StringComparer.Ordinal), Directory.EnumerateDirectories(Path.Combine(TestSupport.RepoPaths.Root, "src", "Host", "Feeds"))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));
        var violations = new List<string>();
        foreach ((string folder, string[] mayUse) in FeedsMayUse)
        {
            foreach (string other in FeedsMayUse.Keys.Where(f => f != folder && !mayUse.Contains(f)))
            {
                TestResult result = Types.InAssembly(typeof(DetectionPipeline).Assembly)
                    .That().ResideInNamespace(FeedsNamespace(folder))
                    .Should().NotHaveDependencyOnAny(FeedsNamespace(other))
                    .GetResult();
                string[] failing = [.. (result.FailingTypes ?? []).Select(t => t.FullName!).Where(name => InFeedsFolder(name, folder))];
                if (failing.Length > 0)
                {
                    violations.Add($"Feeds/{folder} uses Feeds/{other} ({string.Join(", ", failing.Take(3))})");
                }
            }
        }

        Assert.Empty(violations);
    }

    /// <summary>Whether the type named <paramref name="fullName"/> is in <paramref name="folder"/> itself, not in a folder inside it.</summary>
    private static bool InFeedsFolder(string fullName, string folder) => folder.Length == 0
        ? !fullName["Sigs.Host.Feeds.".Length..].Contains('.', StringComparison.Ordinal)
        : fullName.StartsWith(FeedsNamespace(folder) + ".", StringComparison.Ordinal);

    private static string FeedsNamespace(string folder) => folder.Length == 0 ? "Sigs.Host.Feeds" : $"Sigs.Host.Feeds.{folder}";

    private static void AssertNoCycle(Dictionary<string, string[]> mayUse)
    {
        var done = new HashSet<string>();
        while (done.Count < mayUse.Count)
        {
            // Peel off the folders whose uses are all peeled off already; a cycle leaves some that never are.
            string[] next = [.. mayUse.Where(f => !done.Contains(f.Key) && f.Value.All(done.Contains)).Select(f => f.Key)];
            Assert.True(next.Length > 0, $"a cycle among: {string.Join(", ", mayUse.Keys.Except(done))}");
            done.UnionWith(next);
        }
    }

    [Fact]
    public void EveryFolder_UsesOnlyTheFoldersBelowIt()
    {
        string[] folders = [.. Directory.EnumerateDirectories(Path.Combine(TestSupport.RepoPaths.Root, "src", "Host"))
            .Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj" or "Protos"))
            .Order(StringComparer.Ordinal)];
        Assert.Equal(MayUse.Keys.Order(StringComparer.Ordinal), folders);

        var violations = new List<string>();
        foreach (string folder in folders)
        {
            foreach (string other in folders.Where(f => f != folder))
            {
                TestResult result = Types.InAssembly(typeof(DetectionPipeline).Assembly)
                    .That().ResideInNamespace($"Sigs.Host.{folder}")
                    .Should().NotHaveDependencyOnAny($"Sigs.Host.{other}")
                    .GetResult();
                if (!result.IsSuccessful)
                {
                    output.WriteLine($"{folder} -> {other}: {string.Join(", ", result.FailingTypes.Select(t => t.FullName).Take(3))}");
                    if (!MayUse[folder].Contains(other))
                    {
                        violations.Add($"{folder} uses {other} ({string.Join(", ", result.FailingTypes.Select(t => t.FullName).Take(3))})");
                    }
                }
            }
        }

        Assert.Empty(violations);
    }
}
