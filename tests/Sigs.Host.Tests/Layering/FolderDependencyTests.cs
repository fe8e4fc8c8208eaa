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
        ["Outputs"] = ["Common", "Contract", "Configuration", "Engine", "Nats"],
        ["Nats"] = ["Common", "Contract", "Configuration"],
        ["Forwarding"] = ["Common", "Contract", "Configuration", "Engine", "Nats"],
        ["Feeds"] = ["Common", "Collections", "Contract", "Configuration", "Grpc", "Engine", "Nats"],
        ["Pipeline"] = ["Common", "Collections", "Contract", "Configuration", "Engine", "Enrichment", "Loading", "Outputs", "Feeds", "Nats", "Forwarding"],
        ["Hosting"] = ["Common", "Contract", "Configuration", "Engine", "Enrichment", "Loading", "Outputs", "Feeds", "Nats", "Forwarding", "Pipeline"],
        ["Admin"] = ["Common", "Contract", "Configuration", "Engine", "Enrichment", "Loading", "Outputs", "Feeds", "Nats", "Forwarding", "Pipeline", "Hosting"],
        ["Cli"] = ["Common", "Contract", "Configuration", "Engine", "Enrichment", "Loading", "Outputs", "Feeds", "Nats", "Forwarding", "Pipeline", "Hosting", "Admin"],
    };

    [Fact]
    public void TheAllowedUses_HaveNoCycle()
    {
        var done = new HashSet<string>();
        while (done.Count < MayUse.Count)
        {
            // Peel off the folders whose uses are all peeled off already; a cycle leaves some that never are.
            string[] next = [.. MayUse.Where(f => !done.Contains(f.Key) && f.Value.All(done.Contains)).Select(f => f.Key)];
            Assert.True(next.Length > 0, $"a cycle among: {string.Join(", ", MayUse.Keys.Except(done))}");
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
