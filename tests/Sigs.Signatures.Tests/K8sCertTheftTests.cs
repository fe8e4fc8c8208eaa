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
    [InlineData("kube-schedule")]
    public void Open_ByNameThatOnlyResemblesTheAllowList_Fires(string comm)
    {
        Assert.Single(Run(Ev.Open("/etc/kubernetes/pki/ca.key", comm: comm)));
    }

    /// <summary>
    /// A read of the PKI folder by a process named by its comm, its executable, both, or both disagreeing (a
    /// renamed comm, a copied binary): whether it fires with the default allow-list, and with
    /// <c>allowedExecutables: [/usr/local/bin/kubelet, /usr/bin/kube-apiserver]</c>.
    /// </summary>
    [Theory]
    [InlineData("cat", null, true, true)]
    [InlineData(null, "/usr/bin/malicious", true, true)]
    [InlineData("kubelet", null, false, true)]
    [InlineData(null, "/usr/bin/kubelet", false, true)]
    [InlineData(null, "/usr/local/bin/kubelet", false, false)]
    [InlineData(null, "/usr/bin/kube-apiserver", false, false)]
    [InlineData("kube-controller", "/usr/local/bin/kube-controller-manager", false, true)]
    [InlineData(null, "/usr/local/bin/kube-controller-manager", false, true)]
    [InlineData("etcd", "/usr/local/bin/etcd", false, true)]
    [InlineData("kubelet", "/tmp/.x/miner", false, true)] // a comm renamed to pass the name list
    [InlineData("python3", "/usr/local/bin/kubelet", false, false)] // the name list passes on the file name
    [InlineData("kubelet", "/tmp/kubelet", false, true)] // a binary copied under the allowed name
    [InlineData(null, null, true, true)]
    public void Open_TheProcessByCommExecutableOrBoth_IsAllowedByNameOrByExactPath(string? comm, string? executable, bool firesByName, bool firesByPath)
    {
        SecurityEvent open = Ev.Open("/etc/kubernetes/pki/apiserver.crt", container: null) with
        {
            Process = new ProcessInfo { HostPid = 100, Name = comm, Executable = executable },
        };
        var byPath = new SignatureTestHost<K8sCertTheftSignature>("""{"allowedExecutables":["/usr/local/bin/kubelet","/usr/bin/kube-apiserver"]}""");
        byPath.Run(open);

        Assert.Equal(firesByName, Run(open).Count == 1);
        Assert.Equal(firesByPath, byPath.Findings.Count == 1);
    }

    /// <summary>Upstream Tracee's detector test cases, as a v1beta1 event with the executable path and no thread name.</summary>
    [Theory]
    [InlineData("/usr/bin/malicious", 0, 1)]
    [InlineData("/usr/bin/kubelet", 0, 0)]
    [InlineData("/usr/bin/kube-apiserver", 0, 0)]
    [InlineData("/usr/bin/malicious", 1, 0)]
    public void Open_TraceeUpstreamDetectorCases_FireAsUpstream(string executable, int flags, int expectedFindings)
    {
        SecurityEvent open = Ev.Decode($$$"""
            {"timestamp":"2025-11-02T10:00:07Z","id":1031,"name":"security_file_open","workload":{"process":{"executable":{"path":"{{{executable}}}"},"host_pid":5300,"pid":5300}},
             "data":[{"name":"pathname","value":"/etc/kubernetes/pki/apiserver.crt"},{"name":"flags","value":{{{flags}}}}]}
            """);

        Assert.Null(open.Process!.Name);
        Assert.Equal(expectedFindings, Run(open).Count);
    }

    [Fact]
    public void Rename_TraceeUpstreamDetectorCase_FiresForAnyProcess()
    {
        SecurityEvent rename = Ev.Decode("""
            {"timestamp":"2025-11-02T10:00:07Z","id":1032,"name":"security_inode_rename","workload":{"process":{"executable":{"path":"/usr/bin/mv"},"host_pid":5301}},
             "data":[{"name":"old_path","value":"/etc/kubernetes/pki/apiserver.key"},{"name":"new_path","value":"/tmp/apiserver.key"}]}
            """);
        var byPath = new SignatureTestHost<K8sCertTheftSignature>("""{"allowedExecutables":["/usr/bin/mv"]}""");
        byPath.Run(rename);

        Assert.Single(Run(rename));
        Assert.Single(byPath.Findings);
    }

    [Fact]
    public void Config_AllowedExecutablesNotAbsolute_IsRejectedBySchema()
    {
        var error = Assert.Throws<SignatureConfigException>(() => new SignatureTestHost<K8sCertTheftSignature>("""{"allowedExecutables":["kubelet"]}"""));

        Assert.Contains("allowedExecutables", error.Message, StringComparison.Ordinal);
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
