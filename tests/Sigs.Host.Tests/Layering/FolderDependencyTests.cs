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
        ["Feeds"] = ["Common", "Collections", "Contract", "Configuration", "Grpc", "Engine", "Enrichment", "Nats"],
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

    /// <summary>The sensors' folders inside Feeds/: each maps its own sensor, and what they share lives below them (Feeds/, Json/, Grpc/, Enrichment/).</summary>
    private static readonly string[] Sensors = ["Falco", "KubernetesAudit", "Native", "Nats", "Tetragon", "Tracee"];

    [Fact]
    public void NoSensorFolder_ReachesIntoAnother()
    {
        Assert.Equal(Sensors, Directory.EnumerateDirectories(Path.Combine(TestSupport.RepoPaths.Root, "src", "Host", "Feeds"))
            .Select(Path.GetFileName).OfType<string>().Where(f => f is not ("Files" or "Json")).Order(StringComparer.Ordinal));
        var violations = new List<string>();
        foreach (string sensor in Sensors)
        {
            TestResult result = Types.InAssembly(typeof(DetectionPipeline).Assembly)
                .That().ResideInNamespace($"Sigs.Host.Feeds.{sensor}")
                .Should().NotHaveDependencyOnAny([.. Sensors.Where(s => s != sensor).Select(s => $"Sigs.Host.Feeds.{s}")])
                .GetResult();
            if (!result.IsSuccessful)
            {
                violations.Add($"{sensor} uses another sensor's folder ({string.Join(", ", result.FailingTypes.Select(t => t.FullName).Take(3))})");
            }
        }

        Assert.Empty(violations);
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
