using System.Text.Json;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Authoring;

/// <summary>
/// The steps of docs/authoring.md, end to end, against a local package folder: install the template, create a
/// signature, build it, test it, check it, drop it into a watched plugin folder of a running <c>sigs run</c>,
/// send an event, and see the finding.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AuthoringKitTests : IDisposable
{
    private readonly TempFolder _work = new();

    public void Dispose() => _work.Dispose();

    private string At(string relative) => Path.Combine(_work.Path, relative);

    [Fact]
    public async Task Template_BuildTestCheckAndHotDropIntoARunningHost_ProducesAFinding()
    {
        // Packages from this build, into a local folder (what a third party gets from a feed).
        string packages = At("packages");
        foreach (string project in new[] { "src/Plugins", "src/Testing", "templates" })
        {
            await Command.SucceedAsync("dotnet", ["pack", Path.Combine(RepoPaths.Root, project), "-c", RepoPaths.Configuration, "--no-build", "-o", packages]);
        }

        // Template: install into a private hive, then create the projects.
        string hive = At("hive");
        await Command.SucceedAsync("dotnet", ["new", "install", Path.Combine(packages, "Sigs.Templates.1.6.0.nupkg"), "--debug:custom-hive", hive]);
        await Command.SucceedAsync("dotnet", ["new", "sigs-signature", "-n", "Acme.ShadowRead", "-o", At("src"), "--debug:custom-hive", hive]);

        // Build and test with no feed but the local folder and the machine's package cache (read as a folder).
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(At("src/nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
                <add key="machine-cache" value="{globalPackages}" />
              </packageSources>
            </configuration>
            """);
        var offline = new Dictionary<string, string> { ["NUGET_PACKAGES"] = At("nuget-cache") };
        // The template's solution: a plain `dotnet test` in the new folder builds the plugin and runs its tests.
        Assert.True(File.Exists(At("src/Acme.ShadowRead.slnx")), "the template must generate a solution");
        SigsProcess.Result tests = await Command.SucceedAsync("dotnet", ["test"], At("src"), offline);
        Assert.Contains("Passed!", tests.Stdout, StringComparison.Ordinal);
        string built = At("src/Acme.ShadowRead/bin/Debug/net10.0");
        Assert.False(File.Exists(Path.Combine(built, "Sigs.Plugins.dll")), "the plugin must not carry the SDK: the host provides it");

        SigsProcess.Result check = await Command.RunAsync(RepoPaths.HostExecutable, ["check", built]);
        Assert.Equal(0, check.ExitCode);
        Assert.Contains("OK: 1 signature(s): MYORG-0001 v1", check.Stdout, StringComparison.Ordinal);

        // A running host watching an empty plugin folder and following an event file.
        Directory.CreateDirectory(At("plugins"));
        await File.WriteAllTextAsync(At("events.jsonl"), string.Empty);
        int adminPort = Ports.Free();
        string config = _work.File("sigs.yaml", $"""
            plugins:
              dir: {At("plugins")}
            feeds:
              - type: file
                path: {At("events.jsonl")}
                follow: true
            outputs:
              - type: file
                path: {At("findings.jsonl")}
            admin:
              listen: http://127.0.0.1:{adminPort}
            """);
        using SigsProcess sigs = SigsProcess.Start(["run", "--config", config]);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
        await Eventually.TrueAsync(() => PluginIds(admin) is not null, "the host to start");

        foreach (string file in Directory.EnumerateFiles(built))
        {
            File.Copy(file, Path.Combine(Directory.CreateDirectory(At("plugins/Acme.ShadowRead")).FullName, Path.GetFileName(file)));
        }

        await Eventually.TrueAsync(() => PluginIds(admin)?.Contains("MYORG-0001") == true, "the dropped-in plugin to load");
        await File.AppendAllTextAsync(At("events.jsonl"), """
            {"rule":"Read sensitive file","priority":"Warning","time":"2025-11-02T10:00:00Z","output_fields":{"evt.type":"openat","fd.name":"/etc/shadow","evt.arg.flags":"O_RDONLY","proc.name":"cat","proc.pid":4242,"container.id":"host"}}
            """ + "\n");
        await Eventually.TrueAsync(() => File.Exists(At("findings.jsonl")) && File.ReadAllText(At("findings.jsonl")).Contains("\"MYORG-0001\"", StringComparison.Ordinal), "the finding");
        sigs.Signal("TERM");
        Assert.Equal(0, (await sigs.WaitAsync(TimeSpan.FromSeconds(30))).ExitCode);
    }

    private static List<string>? PluginIds(HttpClient admin)
    {
        try
        {
            using JsonDocument plugins = JsonDocument.Parse(admin.GetStringAsync("/plugins").GetAwaiter().GetResult());
            return [.. plugins.RootElement.EnumerateArray().SelectMany(p => p.GetProperty("signatures").EnumerateArray()).Select(s => s.GetProperty("id").GetString()!)];
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
