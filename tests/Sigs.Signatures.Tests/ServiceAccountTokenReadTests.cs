using Sigs.Plugins;
using Sigs.Plugins.Testing;
using Sigs.Signatures.SaToken;

namespace Sigs.Signatures.Tests;

public class ServiceAccountTokenReadTests
{
    private static IReadOnlyList<TestFinding> Run(params SecurityEvent[] events) => new SignatureTestHost<ServiceAccountTokenReadSignature>().Run(events).Findings;

    [Theory]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/token")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")]
    [InlineData("/run/secrets/kubernetes.io/serviceaccount/token")]
    [InlineData("/run/secrets/kubernetes.io/serviceaccount/ca.crt")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/..data/token")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/..2025_11_02_10_00_00.123456789/token")]
    [InlineData("/run/secrets/kubernetes.io/serviceaccount/..2025_11_02_10_00_00.123456789/ca.crt")]
    public void Open_TokenOrCaInteractiveInContainer_Fires(string path)
    {
        var finding = Assert.Single(Run(Ev.Open(path)));

        Assert.Equal("SIGS-1002", finding.Signature.Id);
        Assert.Equal(path, finding.Data["path"]);
    }

    [Theory]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/namespace")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/..data/namespace")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/token.bak")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/../token")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/..data/sub/token")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/data/token")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/..data")]
    [InlineData("/host/var/run/secrets/kubernetes.io/serviceaccount/token")]
    [InlineData("/var/run/secrets/eks.amazonaws.com/serviceaccount/token")]
    public void Open_OtherFile_DoesNotFire(string path)
    {
        Assert.Empty(Run(Ev.Open(path)));
    }

    [Fact]
    public void Open_NotInteractiveOrNotInContainer_DoesNotFire()
    {
        const string token = "/var/run/secrets/kubernetes.io/serviceaccount/token";

        Assert.Empty(Run(Ev.Open(token, interactive: false), Ev.Open(token, interactive: null), Ev.Open(token, container: null), Ev.Open(token, container: "")));
    }

    [Theory]
    [InlineData("cat", new[] { "cat", "/var/run/secrets/kubernetes.io/serviceaccount/token" })]
    [InlineData("head", new[] { "head", "-c", "20", "/run/secrets/kubernetes.io/serviceaccount/ca.crt" })]
    [InlineData("busybox", new[] { "/usr/bin/tail", "/run/secrets/kubernetes.io/serviceaccount/token.old" })]
    [InlineData("awk", new[] { "awk", "1", "../../var/run/secrets/kubernetes.io/serviceaccount/ca.crt" })]
    public void Exec_ReaderWithTokenArgument_Fires(string comm, string[] argv)
    {
        Assert.Equal("exec", Assert.Single(Run(Ev.Exec(argv, comm))).Data["trigger"]);
    }

    [Theory]
    [InlineData("grep", new[] { "grep", "x", "/var/run/secrets/kubernetes.io/serviceaccount/token" })]
    [InlineData("cat", new[] { "cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace" })]
    [InlineData("cat", new[] { "cat", "/etc/hosts" })]
    public void Exec_NotReaderOrNoTokenArgument_DoesNotFire(string comm, string[] argv)
    {
        Assert.Empty(Run(Ev.Exec(argv, comm)));
    }

    [Fact]
    public void Exec_NotInteractive_DoesNotFire()
    {
        Assert.Empty(Run(Ev.Exec(["cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"], interactive: false)));
    }

    [Fact]
    public void Config_FilePaths_ReplaceTheDefault()
    {
        var harness = new SignatureTestHost<ServiceAccountTokenReadSignature>("""{"filePaths":["/var/run/secrets/tokens/vault-token"]}""");

        harness.Run(Ev.Open("/var/run/secrets/kubernetes.io/serviceaccount/token"), Ev.Open("/var/run/secrets/tokens/..data/vault-token"));

        Assert.Equal("/var/run/secrets/tokens/..data/vault-token", Assert.Single(harness.Findings).Data["path"]);
        Assert.Equal(["/var/run/secrets/tokens/"], harness.Signature.FilePatterns);
    }

    [Fact]
    public void Metadata_IsMediumCredentialAccess()
    {
        SignatureMetadata m = new ServiceAccountTokenReadSignature().Metadata;

        Assert.Equal(("SIGS-1002", Severity.Medium), (m.Id, m.Severity));
        Assert.Equal(["TA0006"], m.Tactics);
        Assert.Equal(["T1552.001"], m.Techniques);
    }
}
