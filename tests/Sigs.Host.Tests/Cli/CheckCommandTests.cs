using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Cli;

/// <summary><c>sigs check</c> on real built plugins.</summary>
[Trait("Category", "Slow")]
public sealed class CheckCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Check_ShippedPlugin_IsOk()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["check", Path.Combine(RepoPaths.ShippedPlugins, "Sigs.Signatures.K8sCertTheft")]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("OK: 1 signature(s): TRC-1018 v1; sha256 ", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FutureSdk", "FutureSdk.dll: built against Sigs.Plugins 2.0, but this host provides 1.6")]
    [InlineData("NoSignature", "contains no signature")]
    [InlineData("FaultyInit", "constructor threw InvalidOperationException: constructor failure on purpose")]
    [InlineData("FaultyInit", "Init threw InvalidOperationException: init failure on purpose")]
    [InlineData("FaultyInit", "signatures.TEST-CONFIGURED.config does not match the signature's schema: threshold: required key is missing")]
    [InlineData("BadMetadata", "signature bad id!: id 'bad id!' must be letters, digits")]
    [InlineData("BadMetadata", "signature bad id!: metadata description is empty")]
    [InlineData("BadMetadata", "signature bad id!: severity 9 is not one of info, low, medium, high, critical")]
    [InlineData("BadMetadata", "signature bad id!: MITRE tactic 'credential-access' is not a tactic id like TA0006")]
    [InlineData("BadMetadata", "signature bad id!: MITRE technique 'T15' is not a technique id")]
    [InlineData("MistypedSelector", "signature TEST-MISTYPED in ")]
    [InlineData("MistypedSelector", "selector 0 names event 'security_file_opne', which is neither a contract event (security_file_open, security_inode_rename, sched_process_exec, sched_process_exit, k8s_audit) nor one of Tracee's; did you mean 'security_file_open'? (use EventNames)")]
    [InlineData("MistypedSelector", "selector 1 has origin 'contaner', which is not host, container or *; did you mean 'container'? (use EventOrigins)")]
    [InlineData("MistypedSelector", "selector 2 has source 'tracy', which is no feed's (tracee, falco, k8s-audit, tetragon, native, sigs); did you mean 'tracee'? (use EventSources)")]
    public async Task Check_BrokenPlugin_PrintsOneLinePerProblemAndFails(string plugin, string expected)
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["check", RepoPaths.TestPlugin(plugin)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.StdoutLines, line => line.StartsWith(RepoPaths.TestPlugin(plugin), StringComparison.Ordinal) && line.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain("technique 'T1552.001'", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_IdTakenByAnotherPluginInTheFolder_Fails()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("NewtonsoftV13"));

        SigsProcess.Result result = await SigsProcess.RunAsync(["check", "--plugins", _folder.Path, RepoPaths.TestPlugin("DuplicateId")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("signature id TEST-NEWTONSOFT-13 is already used by", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("duplicate signature id TEST-DUPLICATE", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_MissingPath_IsFatal()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["check", "/nonexistent/plugin"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("sigs: error: '/nonexistent/plugin' does not exist", result.Stderr, StringComparison.Ordinal);
    }
}
