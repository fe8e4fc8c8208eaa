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

    private PluginGeneration Load(PluginTrust? trust = null, RunnerPolicy? faults = null) =>
        new PluginLoader(new Dictionary<string, SignatureSettings>(), _sink, TimeProvider.System, _logs, trust, faults).LoadFolder(_folder.Path);

    [Fact]
    public void Load_SafePermissions_Loads()
    {
        using PluginGeneration generation = Load();

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

        using (PluginGeneration refused = Load())
        {
            Assert.Empty(refused.Plugins);
            Assert.Contains(reason, Assert.Single(_logs.LinesContaining("Refused plugin")), StringComparison.Ordinal);
        }

        using PluginGeneration allowed = Load(new PluginTrust(AllowInsecurePermissions: true, Pinned: null));
        Assert.Single(allowed.Plugins);
    }

    [Fact]
    public async Task Load_OwnedByAnotherUser_IsRefused()
    {
        File.SetUnixFileMode(PluginFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var chown = System.Diagnostics.Process.Start("chown", ["12345", PluginFile])!;
        await chown.WaitForExitAsync();
        Assert.Equal(0, chown.ExitCode);

        using PluginGeneration generation = Load();

        Assert.Empty(generation.Plugins);
        Assert.Contains("NewtonsoftV13.dll is owned by uid 12345, not root or the user Sigs runs as", Assert.Single(_logs.LinesContaining("Refused plugin")), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Pinning_RefusesEverythingNotPinnedOrChanged()
    {
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(PluginFile)));
        _folder.AddPlugin(RepoPaths.TestPlugin("NoSignature"));

        using (PluginGeneration pinned = Load(new PluginTrust(false, new Dictionary<string, string> { ["NewtonsoftV13.dll"] = sha })))
        {
            Assert.Equal("NewtonsoftV13", Assert.Single(pinned.Plugins).Info.Name);
            Assert.Single(_logs.LinesContaining("NoSignature.dll is not listed in plugins.trusted"));
        }

        using PluginGeneration mismatch = Load(new PluginTrust(false, new Dictionary<string, string> { ["NewtonsoftV13.dll"] = new string('0', 64) }));
        Assert.Empty(mismatch.Plugins);
        Assert.Single(_logs.LinesContaining($"SHA-256 {sha} does not match the pinned 0000"));
    }

    [Fact]
    public void Dispatch_SignatureThatKeepsThrowing_IsQuarantinedAndOthersKeepReceiving()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("FaultyInit"));
        using PluginGeneration generation = Load(faults: RunnerPolicy.Default with { MaxFaults = 3, FaultWindow = TimeSpan.FromMinutes(1) });
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
