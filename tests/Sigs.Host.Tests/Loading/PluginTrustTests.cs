using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Loading;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Loading;

/// <summary>Ownership, permission and pinning checks before anything is loaded; quarantine after repeated faults.</summary>
public sealed class PluginTrustTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CollectingSink _sink = new();

    public PluginTrustTests() => _folder.AddPlugin(RepoPaths.TestPlugin("NewtonsoftV13"));

    public void Dispose() => _folder.Dispose();

    private string PluginFolder => Path.Combine(_folder.Path, "NewtonsoftV13");

    private string PluginFile => Path.Combine(PluginFolder, "NewtonsoftV13.dll");

    private PluginLoader? _loader;

    private LoadedFolder Load(PluginTrust? trust = null, RunnerPolicy? faults = null) =>
        new LoadedFolder(_loader = new PluginLoader(new Dictionary<string, SignatureSettings>(), _sink, TimeProvider.System, _logs, trust, faults), _folder.Path, _logs);

    [Fact]
    public void Load_SafePermissions_Loads()
    {
        using LoadedFolder generation = Load();

        Assert.Single(generation.Plugins);
    }

    [Theory]
    [InlineData("file", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, "NewtonsoftV13.dll is writable by group or others (mode 660)")]
    [InlineData("dependency", UnixFileMode.UserRead | UnixFileMode.OtherWrite, "Newtonsoft.Json.dll is writable by group or others (mode 402)")]
    [InlineData("folder", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute, "NewtonsoftV13 is writable by group or others (mode 703)")]
    [InlineData("root", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute, "is writable by group or others (mode 730)")]
    public void Load_WritableByOthers_IsRefusedUnlessAllowed(string which, UnixFileMode mode, string reason)
    {
        string target = which switch
        {
            "file" => PluginFile,
            "dependency" => Path.Combine(PluginFolder, "Newtonsoft.Json.dll"),
            "folder" => PluginFolder,
            _ => _folder.Path,
        };
        File.SetUnixFileMode(target, mode);
        if (which == "root")
        {
            // The plugin folder itself: the host refuses to load from it at all.
            Assert.Contains(reason, Assert.Throws<ConfigException>(() => Load()).Message, StringComparison.Ordinal);
        }
        else
        {
            using LoadedFolder refused = Load();
            Assert.Empty(refused.Plugins);
            Assert.Contains(reason, Assert.Single(_logs.LinesContaining("Refused plugin")), StringComparison.Ordinal);
        }

        using LoadedFolder allowed = Load(new PluginTrust(AllowInsecurePermissions: true, Pinned: null));
        Assert.Single(allowed.Plugins);
    }

    [Fact]
    public async Task Load_OwnedByAnotherUser_IsRefused()
    {
        File.SetUnixFileMode(PluginFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var chown = System.Diagnostics.Process.Start("chown", ["12345", PluginFile])!;
        await chown.WaitForExitAsync();
        Assert.Equal(0, chown.ExitCode);

        using LoadedFolder generation = Load();

        Assert.Empty(generation.Plugins);
        Assert.Contains("NewtonsoftV13.dll is owned by uid 12345, not root or the user Sigs runs as", Assert.Single(_logs.LinesContaining("Refused plugin")), StringComparison.Ordinal);
    }

    /// <summary>The documented way to compute a plugin folder's pin with standard tools.</summary>
    private static async Task<string> ShellPinAsync(string folder)
    {
        using var shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "cd \"$1\" && find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum | cut -d' ' -f1", "pin", folder },
            RedirectStandardOutput = true,
        })!;
        string pin = (await shell.StandardOutput.ReadToEndAsync()).Trim();
        await shell.WaitForExitAsync();
        Assert.Equal(0, shell.ExitCode);
        return pin;
    }

    private static PluginTrust Pins(string pin) => new(false, new Dictionary<string, string> { ["NewtonsoftV13.dll"] = pin });

    private static SecurityEvent Exec() => new() { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Sigs, Name = EventNames.ProcessExec };

    [Fact]
    public async Task Load_Pinning_RefusesEverythingNotPinnedOrChanged()
    {
        string pin = await ShellPinAsync(PluginFolder);
        _folder.AddPlugin(RepoPaths.TestPlugin("NoSignature"));

        using (LoadedFolder pinned = Load(Pins(pin)))
        {
            PluginInfo info = Assert.Single(pinned.Plugins).Info;
            Assert.Equal(("NewtonsoftV13", pin), (info.Name, info.ContentSha256));
            Assert.Contains("Newtonsoft.Json.dll", info.Files);
            Assert.Single(_logs.LinesContaining("NoSignature.dll is not listed in plugins.trusted"));
        }

        using LoadedFolder mismatch = Load(Pins(new string('0', 64)));
        Assert.Empty(mismatch.Plugins);
        Assert.Single(_logs.LinesContaining($"content SHA-256 {pin} (over"));
    }

    [Fact]
    public async Task Load_Pinning_CoversTheDependencies_AModifiedOneIsRefused()
    {
        string pin = await ShellPinAsync(PluginFolder);
        await File.AppendAllTextAsync(Path.Combine(PluginFolder, "Newtonsoft.Json.dll"), "planted");

        using LoadedFolder generation = Load(Pins(pin));

        Assert.Empty(generation.Plugins);
        Assert.Contains("does not match the pinned", Assert.Single(_logs.LinesContaining("Refused plugin")), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AWritableFolderDeepInsideThePlugin_IsRefused()
    {
        string planted = Directory.CreateDirectory(Path.Combine(PluginFolder, "runtimes", "linux-x64", "lib", "net10.0")).FullName;
        File.WriteAllText(Path.Combine(planted, "Newtonsoft.Json.dll"), "not really");
        File.SetUnixFileMode(Path.Combine(PluginFolder, "runtimes", "linux-x64"), (UnixFileMode)0x1FF); // 777

        using LoadedFolder generation = Load();

        Assert.Empty(generation.Plugins);
        Assert.Contains("runtimes/linux-x64 is writable by group or others (mode 777)", Assert.Single(_logs.LinesContaining("Refused plugin")), StringComparison.Ordinal);
        Assert.Equal(1, _loader!.RefusedPlugins);
    }

    [Fact]
    public void Load_ALinkInsideThePlugin_IsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(PluginFolder, "extra.dll"), "/usr/lib/os-release");

        using LoadedFolder generation = Load(new PluginTrust(AllowInsecurePermissions: true, Pinned: null));

        Assert.Empty(generation.Plugins);
        Assert.Contains("extra.dll is a symbolic link", Assert.Single(_logs.LinesContaining("Refused plugin")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("changed", "changed since the plugin was checked")]
    [InlineData("appeared", "was not among the plugin's files when it was checked")]
    public void Dispatch_ADependencyChangedOrAddedAfterTheCheck_IsNotLoaded(string what, string reason)
    {
        string dependency = Path.Combine(PluginFolder, "Newtonsoft.Json.dll");
        byte[] original = File.ReadAllBytes(dependency);
        if (what == "appeared")
        {
            File.Delete(dependency);
        }

        using LoadedFolder generation = Load();
        // Newtonsoft.Json loads on the signature's first event: swap the file in between.
        File.WriteAllBytes(dependency, what == "appeared" ? original : [.. original, 0]);
        var engine = new DetectionEngine();
        engine.Publish(generation.Index);

        engine.Dispatch(Exec());

        Assert.Empty(_sink.Findings);
        Assert.Equal(1, Assert.Single(generation.Index.Runners).Faults);
        Assert.Contains(reason, Assert.Single(_logs.LinesContaining("refused to load dependency Newtonsoft.Json")), StringComparison.Ordinal);
        Assert.Equal((0, 1), (_loader!.RefusedPlugins, _loader.RefusedDependencies));
    }

    [Fact]
    public void Dispatch_InsecurePermissionsAllowed_AWritableDependencyStillLoadsOnFirstUse()
    {
        File.SetUnixFileMode(Path.Combine(PluginFolder, "Newtonsoft.Json.dll"), (UnixFileMode)0x1B4); // 664
        using LoadedFolder generation = Load(new PluginTrust(AllowInsecurePermissions: true, Pinned: null));
        var engine = new DetectionEngine();
        engine.Publish(generation.Index);

        engine.Dispatch(Exec());

        Assert.Equal("13.0.0.0", Assert.Single(_sink.Findings).Data["newtonsoft"]);
        Assert.Empty(_logs.LinesContaining("refused to load"));
    }

    [Fact]
    public void Dispatch_UnchangedDependency_LoadsOnFirstUse()
    {
        using LoadedFolder generation = Load();
        var engine = new DetectionEngine();
        engine.Publish(generation.Index);

        engine.Dispatch(Exec());

        Assert.Equal("13.0.0.0", Assert.Single(_sink.Findings).Data["newtonsoft"]);
        Assert.Empty(_logs.LinesContaining("refused to load"));
    }

    [Fact]
    public void Dispatch_SignatureThatKeepsThrowing_IsQuarantinedAndOthersKeepReceiving()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("FaultyInit"));
        using LoadedFolder generation = Load(faults: RunnerPolicy.Default with { MaxFaults = 3, FaultWindow = TimeSpan.FromMinutes(1) });
        var engine = new DetectionEngine();
        engine.Publish(generation.Index);

        for (int i = 0; i < 10; i++)
        {
            engine.Dispatch(new SecurityEvent { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Sigs, Name = EventNames.ProcessExec });
        }

        SignatureRunner thrower = generation.Index.Runners.Single(r => r.Metadata.Id == "TEST-ALWAYS-THROWS");
        Assert.Equal(SignatureState.Quarantined, thrower.State);
        Assert.Equal(3, thrower.Faults);
        Assert.Equal(7, thrower.Skipped);
        Assert.Equal(10, _sink.Findings.Count(f => f.Signature.Id == "TEST-HEALTHY"));
        Assert.Single(_logs.LinesContaining("Signature TEST-ALWAYS-THROWS quarantined after 3 faults within 60 s"));
    }
}
