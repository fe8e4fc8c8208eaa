using Sigs.Plugins;
using Sigs.Plugins.Testing;
using Sigs.Signatures.K8sCertTheft;

namespace Sigs.Signatures.Tests;

public class K8sCertTheftTests
{
    private static IReadOnlyList<TestFinding> Run(params SecurityEvent[] events) => new SignatureTestHost<K8sCertTheftSignature>().Run(events).Findings;

    [Theory]
    [InlineData(OpenFlags.ReadOnly)]
    [InlineData(OpenFlags.ReadWrite)]
    [InlineData(OpenFlags.ReadOnly | 0x8000 | 0x80000)]
    public void Open_ReadUnderPkiByOtherProcess_Fires(int flags)
    {
        var finding = Assert.Single(Run(Ev.Open("/etc/kubernetes/pki/apiserver.key", flags, comm: "cat", container: null)));

        Assert.Equal("TRC-1018", finding.Signature.Id);
        Assert.Equal("/etc/kubernetes/pki/apiserver.key", finding.Data["path"]);
    }

    [Fact]
    public void Open_WriteOnly_DoesNotFire()
    {
        Assert.Empty(Run(Ev.Open("/etc/kubernetes/pki/apiserver.key", OpenFlags.WriteOnly | 0x40, comm: "cat")));
    }

    [Fact]
    public void Open_UnknownFlags_DoesNotFire()
    {
        Assert.Empty(Run(Ev.Open("/etc/kubernetes/pki/apiserver.key", flags: null, comm: "cat")));
    }

    [Theory]
    [InlineData("kube-apiserver")]
    [InlineData("kubelet")]
    [InlineData("kube-controller")]
    [InlineData("etcd")]
    public void Open_ByAllowListedProcess_DoesNotFire(string comm)
    {
        Assert.Empty(Run(Ev.Open("/etc/kubernetes/pki/ca.key", comm: comm)));
    }

    [Theory]
    [InlineData("kube-apiserver2")]
    [InlineData("ETCD")]
    [InlineData("kube-controller-manager")]
    public void Open_ByNameThatOnlyResemblesTheAllowList_Fires(string comm)
    {
        Assert.Single(Run(Ev.Open("/etc/kubernetes/pki/ca.key", comm: comm)));
    }

    [Theory]
    [InlineData("/etc/kubernetes/admin.conf")]
    [InlineData("/etc/kubernetes/pkix/ca.key")]
    [InlineData("/etc/kubernetes/pki")]
    [InlineData("/tmp/etc/kubernetes/pki/ca.key")]
    public void Open_OutsidePkiFolder_DoesNotFire(string path)
    {
        Assert.Empty(Run(Ev.Open(path)));
    }

    [Fact]
    public void Rename_OutOfPki_FiresWhateverTheProcess()
    {
        var finding = Assert.Single(Run(Ev.Rename("/etc/kubernetes/pki/sa.key", "/tmp/sa.key", comm: "kubelet")));

        Assert.Equal("/etc/kubernetes/pki/sa.key", finding.Data["oldPath"]);
        Assert.Equal("/tmp/sa.key", finding.Data["newPath"]);
    }

    [Fact]
    public void Rename_IntoPki_DoesNotFire()
    {
        Assert.Empty(Run(Ev.Rename("/tmp/sa.key", "/etc/kubernetes/pki/sa.key")));
    }

    [Theory]
    [InlineData("\"O_RDONLY|O_LARGEFILE\"", 1)]
    [InlineData("\"O_RDWR\"", 1)]
    [InlineData("\"O_WRONLY|O_CREAT|O_TRUNC\"", 0)]
    [InlineData("32768", 1)]
    [InlineData("32769", 0)]
    public void Open_TraceeFlagsAsIntOrText_BothWork(string flagsJson, int expectedFindings)
    {
        SecurityEvent open = Ev.Decode($$"""
            {"timestamp":1,"eventName":"security_file_open","processName":"cat","args":[
             {"name":"pathname","type":"const char*","value":"/etc/kubernetes/pki/apiserver.key"},{"name":"flags","type":"int","value":{{flagsJson}}}]}
            """);

        Assert.Equal(expectedFindings, Run(open).Count);
    }

    [Fact]
    public void Config_AllowList_ReplacesTheDefault()
    {
        var harness = new SignatureTestHost<K8sCertTheftSignature>("""{"allowedProcesses":["cat"]}""");

        harness.Run(Ev.Open("/etc/kubernetes/pki/ca.key", comm: "cat"), Ev.Open("/etc/kubernetes/pki/ca.key", comm: "kubelet"));

        Assert.Equal("kubelet", Assert.Single(harness.Findings).Event.Process!.Name);
    }

    [Fact]
    public void Config_WrongType_IsRejectedBySchema()
    {
        var error = Assert.Throws<SignatureConfigException>(() => new SignatureTestHost<K8sCertTheftSignature>("""{"allowedProcesses":"cat"}"""));

        Assert.Contains("allowedProcesses: must be a list", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_IsTraceesTrc1018()
    {
        SignatureMetadata m = new K8sCertTheftSignature().Metadata;

        Assert.Equal(("TRC-1018", "1", "K8s TLS certificate theft detected", Severity.High), (m.Id, m.Version, m.Name, m.Severity));
        Assert.Equal(["T1528"], m.Techniques);
        Assert.Equal("attack-pattern--890c9858-598c-401d-a4d5-c67ebcdd703a", m.Properties["id"]);
        Assert.Equal("credential-access", m.Properties["Category"]);
    }
}
