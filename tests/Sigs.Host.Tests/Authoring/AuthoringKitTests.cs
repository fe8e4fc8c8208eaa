using System.Diagnostics;
using System.Text.RegularExpressions;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Authoring;

/// <summary>
/// docs/authoring.md as a reader pastes it: every <c>sh</c> block of the guide, in order, in one bash session, from
/// packing the SDK to a finding of the new signature in a running <c>sigs run</c>. The only help the test gives:
/// <c>SIGS_REPO</c> is this checkout, <c>dotnet pack</c> packs what this test run built (no second build), and
/// NuGet reads the machine's package cache as a folder instead of the network. A guide that no longer works fails here.
/// </summary>
/// <remarks>The guide's host listens on the default admin port, so nothing else may run meanwhile.</remarks>
[Trait("Category", "Slow")]
[Collection(Nats.ClusterCollection.Name)]
public sealed partial class AuthoringKitTests : IDisposable
{
    private readonly TempFolder _work = new();

    public void Dispose() => _work.Dispose();

    private string At(string relative) => Path.Combine(_work.Path, relative);

    [Fact]
    public async Task TheGuidesShellBlocks_RunInOrder_FromPackagesToAFindingInARunningHost()
    {
        string[] blocks = [.. ShellBlock().Matches(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "authoring.md"))).Select(m => m.Groups[1].Value)];
        Assert.True(blocks.Length >= 6, $"{blocks.Length} sh blocks in docs/authoring.md");
        string home = Directory.CreateDirectory(At("home")).FullName;
        string machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Directory.CreateDirectory(Path.Combine(home, ".nuget", "NuGet"));
        await File.WriteAllTextAsync(Path.Combine(home, ".nuget", "NuGet", "NuGet.Config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="machine-cache" value="{machineCache}" />
              </packageSources>
            </configuration>
            """);
        string script = $$"""
            set -euo pipefail
            trap 'kill $(jobs -p) 2>/dev/null || true' EXIT   # a step that fails leaves no host behind
            export SIGS_REPO='{{RepoPaths.Root}}'
            dotnet() { if [ "$1" = pack ]; then command dotnet pack --no-build -c {{RepoPaths.Configuration}} "${@:2}"; else command dotnet "$@"; fi; }
            cd '{{_work.Path}}'
            {{string.Join("\n", blocks)}}
            """;
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["NUGET_PACKAGES"] = At("nuget-cache"),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        using Process bash = Process.Start(Command.StartInfo("bash", ["-c", script], _work.Path, environment))!;
        Task<string> stdout = bash.StandardOutput.ReadToEndAsync();
        Task<string> stderr = bash.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            await bash.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            bash.Kill(entireProcessTree: true); // a step that hangs leaves no host behind
        }

        string output = await stdout, errors = await stderr;
        string log = File.Exists(At("Acme.ShadowRead/sigs-run/sigs.log")) ? File.ReadAllText(At("Acme.ShadowRead/sigs-run/sigs.log")) : "(no host log)";
        Assert.True(bash.ExitCode == 0, $"the guide's blocks exited {bash.ExitCode}:\n{output}\n{errors}\n--- host log:\n{log}");
        Assert.Contains("Passed!", output, StringComparison.Ordinal);
        Assert.Contains("OK: 1 signature(s): MYORG-0001 v1", output, StringComparison.Ordinal);
        Assert.False(File.Exists(At("Acme.ShadowRead/Acme.ShadowRead/bin/Debug/net10.0/Sigs.Plugins.dll")), "the plugin must not carry the SDK: the host provides it");
        Assert.Matches(@"(?m)^2025-11-02T10:00:00\.0000000Z High +MYORG-0001 .*: falco security_file_open host .*/etc/shadow read", output);
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
