using System.Text.RegularExpressions;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests;

/// <summary>
/// docs/deployment.md's commands, as far as they can run without a cluster: every folder and file a kubectl
/// command names exists (and a Kustomize folder renders), and the image overlay it shows renders with the image
/// replaced.
/// </summary>
public sealed partial class DeploymentGuideTests
{
    private static readonly string Guide = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "deployment.md"));

    private static IEnumerable<string> ShellBlocks() => ShellBlock().Matches(Guide).Select(m => m.Groups[1].Value);

    [Fact]
    public async Task EveryPathAKubectlCommandNames_ExistsAndRenders()
    {
        Match[] commands = [.. ShellBlocks().SelectMany(block => KubectlPath().Matches(block))];

        Assert.Contains(commands, c => c.Groups["path"].Value == "deploy/kubernetes/tracee-sidecar");
        foreach (Match command in commands)
        {
            string path = Path.Combine(RepoPaths.Root, command.Groups["path"].Value);
            if (command.Groups["flag"].Value == "-f")
            {
                Assert.True(File.Exists(path), $"{command.Value}: no such file");
                continue;
            }

            SigsProcess.Result rendered = await Command.RunAsync("kubectl", ["kustomize", path]);
            Assert.True(rendered.ExitCode == 0, $"{command.Value}: {rendered.Stderr}");
        }
    }

    [Fact]
    public async Task TheImageOverlay_RendersTheModeWithTheImageReplaced()
    {
        string block = Assert.Single(ShellBlocks(), b => b.Contains("my-sigs/kustomization.yaml", StringComparison.Ordinal));
        using var work = new TempFolder();
        Directory.CreateSymbolicLink(Path.Combine(work.Path, "deploy"), Path.Combine(RepoPaths.Root, "deploy"));

        SigsProcess.Result result = await Command.RunAsync("bash", ["-euo", "pipefail", "-c", block], work.Path);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("image: registry.example.com/sigs:1.0.0", result.Stdout, StringComparison.Ordinal);
        string rendered = (await Command.RunAsync("kubectl", ["kustomize", Path.Combine(work.Path, "my-sigs")])).Stdout;
        Assert.DoesNotContain("ghcr.io/sigs/sigs", rendered, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"kubectl (apply|delete) (?<flag>-k|-f) (?<path>deploy/\S+)")]
    private static partial Regex KubectlPath();
}
