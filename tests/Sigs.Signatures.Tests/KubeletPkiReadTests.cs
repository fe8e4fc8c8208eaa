using Sigs.Plugins;
using Sigs.Plugins.Testing;
using Sigs.Signatures.KubeletPki;

namespace Sigs.Signatures.Tests;

public class KubeletPkiReadTests
{
    private static IReadOnlyList<TestFinding> Run(params SecurityEvent[] events) => new SignatureTestHost<KubeletPkiReadSignature>().Run(events).Findings;

    [Theory]
    [InlineData(OpenFlags.ReadOnly)]
    [InlineData(OpenFlags.WriteOnly)]
    [InlineData(OpenFlags.ReadWrite)]
    public void Open_PkiFileInteractiveInContainer_FiresInAnyAccessMode(int flags)
    {
        var finding = Assert.Single(Run(Ev.Open("/var/lib/kubelet/pki/kubelet-client-current.pem", flags)));

        Assert.Equal("SIGS-1001", finding.Signature.Id);
        Assert.Equal("file_open", finding.Data["trigger"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public void Open_NotKnownInteractive_DoesNotFire(bool? interactive)
    {
        Assert.Empty(Run(Ev.Open("/var/lib/kubelet/pki/kubelet.crt", interactive: interactive)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Open_NoContainerId_DoesNotFire(string? container)
    {
        Assert.Empty(Run(Ev.Open("/var/lib/kubelet/pki/kubelet.crt", container: container)));
    }

    [Theory]
    [InlineData("/var/lib/kubelet/config.yaml")]
    [InlineData("/var/lib/kubelet/pkix/kubelet.crt")]
    [InlineData("/host/var/lib/kubelet/pki/kubelet.crt")]
    public void Open_OtherPath_DoesNotFire(string path)
    {
        Assert.Empty(Run(Ev.Open(path)));
    }

    [Theory]
    [InlineData("cat", new[] { "cat", "/var/lib/kubelet/pki/kubelet.crt" })]
    [InlineData("less", new[] { "less", "/var/lib/kubelet/pki/kubelet.crt" })]
    [InlineData("busybox", new[] { "/bin/cat", "/var/lib/kubelet/pki/kubelet.crt" })]
    [InlineData("busybox", new[] { "busybox", "/usr/local/bin/awk", "1", "/host/var/lib/kubelet/pki/x.pem" })]
    [InlineData("sh", new[] { "sh", "-c", "sed", "/var/lib/kubelet/pki/a" })]
    public void Exec_ReaderWithPkiArgument_Fires(string comm, string[] argv)
    {
        var finding = Assert.Single(Run(Ev.Exec(argv, comm)));

        Assert.Equal("exec", finding.Data["trigger"]);
    }

    [Theory]
    [InlineData("vi", new[] { "vi", "/var/lib/kubelet/pki/kubelet.crt" })]
    [InlineData("busybox", new[] { "/opt/bin/cat", "/var/lib/kubelet/pki/kubelet.crt" })]
    [InlineData("busybox", new[] { "cats", "/var/lib/kubelet/pki/kubelet.crt" })]
    [InlineData("cat", new[] { "cat", "/var/lib/kubelet/config.yaml" })]
    [InlineData("cat", new[] { "cat", "/var/lib/kubelet/pki" })]
    public void Exec_NotReaderOrNoPkiArgument_DoesNotFire(string comm, string[] argv)
    {
        Assert.Empty(Run(Ev.Exec(argv, comm)));
    }

    [Fact]
    public void Exec_NotInteractiveOrOnHost_DoesNotFire()
    {
        string[] argv = ["cat", "/var/lib/kubelet/pki/kubelet.crt"];

        Assert.Empty(Run(Ev.Exec(argv, interactive: false), Ev.Exec(argv, interactive: null), Ev.Exec(argv, container: null)));
    }

    [Fact]
    public void Open_TraceeEventWithoutTty_IsInteractiveThroughItsExec()
    {
        SecurityEvent exec = Ev.Decode("""
            {"timestamp":1,"eventName":"sched_process_exec","processName":"sh","hostProcessId":500,"processEntityId":77,"containerId":"c9",
             "args":[{"name":"argv","value":["sh"]},{"name":"stdin_type","value":"S_IFCHR"},{"name":"stdin_path","value":"/dev/pts/0"}]}
            """);
        SecurityEvent open = Ev.Decode("""
            {"timestamp":2,"eventName":"security_file_open","processName":"sh","hostProcessId":500,"processEntityId":77,"containerId":"c9",
             "args":[{"name":"pathname","value":"/var/lib/kubelet/pki/kubelet.key"},{"name":"flags","value":0}]}
            """);

        Assert.Empty(Run(open));
        Assert.True(Assert.Single(Run(exec, open)).Event.Process!.Interactive);
    }

    [Fact]
    public void Metadata_IsElasticRule42de0740()
    {
        SignatureMetadata m = new KubeletPkiReadSignature().Metadata;

        Assert.Equal(("SIGS-1001", "Kubelet Certificate File Access", Severity.Low, 21), (m.Id, m.Name, m.Severity, m.RiskScore));
        Assert.Equal(["TA0007"], m.Tactics);
        Assert.Equal(["T1613"], m.Techniques);
        Assert.Equal("42de0740-8ed8-4b8b-995c-635b56a8bbf4", m.Properties["elastic_rule_id"]);
    }
}
