using System.Security.Cryptography;
using System.Text.Json;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Loading;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Loading;

public sealed class PluginLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CollectingSink _sink = new();

    public void Dispose() => _folder.Dispose();

    private LoadedFolder Load(IReadOnlyDictionary<string, SignatureSettings>? settings = null) =>
        new LoadedFolder(new PluginLoader(settings ?? new Dictionary<string, SignatureSettings>(), _sink, TimeProvider.System, _logs), _folder.Path, _logs);

    private static IEnumerable<string> Ids(LoadedFolder generation) => generation.Index.Runners.Select(r => r.Metadata.Id);

    private static SecurityEvent Exec() => new() { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Sigs, Name = EventNames.ProcessExec };

    [Fact]
    public void Load_ShippedPlugins_LoadsTheFiveSignatures()
    {
        foreach (string plugin in Directory.EnumerateDirectories(RepoPaths.ShippedPlugins))
        {
            _folder.AddPlugin(plugin);
        }

        using LoadedFolder generation = Load();

        Assert.Equal(["SIGS-1001", "SIGS-1002", "SIGS-1003", "SIGS-1004", "TRC-1018"], Ids(generation).Order());
        Assert.Empty(generation.Refusals);
        foreach (LoadedPlugin plugin in generation.Plugins)
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(plugin.Info.AssemblyPath))), plugin.Info.Sha256);
        }
    }

    [Fact]
    public void Load_TwoVersionsOfOneDependency_EachPluginGetsItsOwn()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("NewtonsoftV12"));
        _folder.AddPlugin(RepoPaths.TestPlugin("NewtonsoftV13"));
        using LoadedFolder generation = Load();
        var engine = new DetectionEngine();
        engine.Publish(generation.Index);

        engine.Dispatch(Exec());

        var versions = _sink.Findings.ToDictionary(f => f.Signature.Id, f => (string)f.Data["newtonsoft"]!);
        Assert.Equal("12.0.0.0", versions["TEST-NEWTONSOFT-12"]);
        Assert.Equal("13.0.0.0", versions["TEST-NEWTONSOFT-13"]);
        Assert.All(_sink.Findings, f => Assert.StartsWith("{\"version\":1", (string)f.Data["serialized"]!, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_PluginBuiltAgainstNewerMajorSdk_IsRefusedAndOthersLoad()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("FutureSdk"));
        _folder.AddPlugin(RepoPaths.TestPlugin("NewtonsoftV13"));

        using LoadedFolder generation = Load();

        Assert.Equal(["TEST-NEWTONSOFT-13"], Ids(generation));
        string line = Assert.Single(_logs.LinesContaining("Refused plugin"));
        Assert.Contains("FutureSdk.dll: built against Sigs.Plugins 2.0, but this host provides 1.6 (a different major version)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileThatIsNotAnAssembly_IsRefusedAndOthersLoad()
    {
        _folder.File("garbage.dll", "MZ this is not a portable executable");
        Directory.CreateDirectory(Path.Combine(_folder.Path, "textplugin"));
        File.WriteAllText(Path.Combine(_folder.Path, "textplugin", "textplugin.dll"), "plain text");
        _folder.AddPlugin(RepoPaths.TestPlugin("NewtonsoftV13"));

        using LoadedFolder generation = Load();

        Assert.Equal(["TEST-NEWTONSOFT-13"], Ids(generation));
        Assert.Equal(2, _logs.LinesContaining("not a .NET assembly").Count);
        Assert.Single(_logs.LinesContaining("garbage.dll: not a .NET assembly"));
    }

    [Fact]
    public void Load_AssemblyWithoutSignature_IsRefused()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("NoSignature"));
        File.Copy(Path.Combine(RepoPaths.TestPlugin("NewtonsoftV13"), "Newtonsoft.Json.dll"), Path.Combine(_folder.Path, "Newtonsoft.Json.dll"));

        using LoadedFolder generation = Load();

        Assert.Empty(generation.Plugins);
        Assert.Single(_logs.LinesContaining("NoSignature.dll: contains no signature"));
        Assert.Single(_logs.LinesContaining("Newtonsoft.Json.dll: does not reference Sigs.Plugins"));
    }

    [Fact]
    public void Load_ConstructorOrInitThrows_RefusesThatSignatureOnly()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("FaultyInit"));

        using LoadedFolder generation = Load(new Dictionary<string, SignatureSettings>
        {
            ["TEST-CONFIGURED"] = new() { Config = JsonDocument.Parse("""{"threshold":3}""").RootElement },
        });

        Assert.Equal(["TEST-ALWAYS-THROWS", "TEST-CONFIGURED", "TEST-HEALTHY"], Ids(generation).Order());
        Assert.Single(_logs.LinesContaining("Refused signature Sigs.TestPlugins.ThrowingConstructorSignature in"));
        Assert.Single(_logs.LinesContaining("constructor threw InvalidOperationException: constructor failure on purpose"));
        Assert.Single(_logs.LinesContaining("Refused signature TEST-INIT-THROWS in"));
        Assert.Single(_logs.LinesContaining("Init threw InvalidOperationException: init failure on purpose"));
    }

    [Fact]
    public void Load_DuplicateIds_RefusesTheLaterOnes()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("DuplicateId"));
        _folder.AddPlugin(RepoPaths.TestPlugin("NewtonsoftV13"));

        using LoadedFolder generation = Load();

        // DuplicateId loads before NewtonsoftV13 (name order), so NewtonsoftV13's own signature is the duplicate.
        Assert.Equal(["TEST-DUPLICATE", "TEST-NEWTONSOFT-13"], Ids(generation));
        Assert.All(generation.Index.Runners, r => Assert.Equal("DuplicateId", r.Plugin.Name));
        Assert.Single(_logs.LinesContaining("Refused signature TEST-DUPLICATE in"));
        Assert.Single(_logs.LinesContaining("duplicate signature id TEST-NEWTONSOFT-13: already loaded from"));
        Assert.Equal(2, generation.Refusals.Count);
    }

    [Fact]
    public void Load_ConfigAgainstSignatureSchema_IsValidatedBeforeInit()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("FaultyInit"));

        using LoadedFolder generation = Load(new Dictionary<string, SignatureSettings>
        {
            ["TEST-CONFIGURED"] = new() { Config = JsonDocument.Parse("""{"threshold":"high","extra":1}""").RootElement },
            ["TEST-HEALTHY"] = new() { Enabled = false },
            ["TEST-ALWAYS-THROWS"] = new() { Config = JsonDocument.Parse("""{"x":1}""").RootElement },
            ["NO-SUCH-ID"] = new(),
        });

        Assert.Empty(Ids(generation));
        string line = Assert.Single(_logs.LinesContaining("Refused signature TEST-CONFIGURED"));
        Assert.Contains("signatures.TEST-CONFIGURED.config does not match the signature's schema: threshold: must be an integer; extra: unknown key", line, StringComparison.Ordinal);
        Assert.Single(_logs.LinesContaining("signatures.TEST-ALWAYS-THROWS.config is set, but the signature takes no configuration"));
        Assert.Single(_logs.LinesContaining("Signature TEST-HEALTHY in"));
        Assert.Single(_logs.LinesContaining("signatures.NO-SUCH-ID: no loaded plugin has a signature with this id"));
    }

    [Fact]
    public void Load_ValidConfig_ReachesTheSignature()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("FaultyInit"));
        using LoadedFolder generation = Load(new Dictionary<string, SignatureSettings>
        {
            ["TEST-CONFIGURED"] = new() { Config = JsonDocument.Parse("""{"threshold":7}""").RootElement },
        });
        var engine = new DetectionEngine();
        engine.Publish(generation.Index);

        engine.Dispatch(Exec());

        Assert.Equal(7, _sink.Findings.Single(f => f.Signature.Id == "TEST-CONFIGURED").Data["threshold"]);
    }

    [Fact]
    public void Load_MissingFolder_Throws()
    {
        var loader = new PluginLoader(new Dictionary<string, SignatureSettings>(), _sink, TimeProvider.System, _logs);

        var error = Assert.Throws<DirectoryNotFoundException>(() => new LoadedFolder(loader, "/nonexistent/plugins", _logs));

        Assert.Equal("plugin folder '/nonexistent/plugins' does not exist", error.Message);
    }
}
