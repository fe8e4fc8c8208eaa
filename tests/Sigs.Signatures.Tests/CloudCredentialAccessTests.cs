using Sigs.Plugins;
using Sigs.Plugins.Testing;
using Sigs.Signatures.CloudCreds;

namespace Sigs.Signatures.Tests;

public class CloudCredentialAccessTests
{
    private static IReadOnlyList<TestFinding> Run(params SecurityEvent[] events) => new SignatureTestHost<CloudCredentialAccessSignature>().Run(events).Findings;

    private static TestFinding Fires(string[] argv, string comm, string executable = "/usr/bin/tool") =>
        Assert.Single(Run(Ev.Exec(argv, comm, executable, interactive: false, container: null)));

    [Theory]
    [InlineData("cat")]
    [InlineData("busybox")]
    [InlineData("curl")]
    [InlineData("python3.11")]
    [InlineData("perl5")]
    [InlineData("node")]
    [InlineData("php8")]
    [InlineData(".hidden")]
    public void Condition1_ProcessNameMatches_Fires(string comm)
    {
        Assert.Equal("processName", Fires([comm, "/etc/shadow"], comm).Data["matchedBy"]);
    }

    [Fact]
    public void Condition1_ArgvElementEqualsToolName_Fires()
    {
        Assert.Equal("argumentName", Fires(["env", "base64", "/etc/kubernetes/admin.conf"], "env").Data["matchedBy"]);
    }

    [Theory]
    [InlineData("/tmp/x")]
    [InlineData("/var/tmp/.x/y")]
    [InlineData("/dev/shm/z")]
    [InlineData("/home/dev/bin/tool")]
    [InlineData("/run/user/1000/t")]
    public void Condition1_ExecutableInWritableLocation_Fires(string executable)
    {
        Assert.Equal("executable", Fires(["./x", "/root/.aws/credentials"], "x", executable).Data["matchedBy"]);
    }

    [Theory]
    [InlineData("vim", new[] { "vim", "/root/.aws/credentials" }, "/usr/bin/vim")]
    [InlineData("env", new[] { "env", "/usr/bin/cat", "/etc/shadow" }, "/usr/bin/env")]
    [InlineData("mypython", new[] { "mypython", "/etc/shadow" }, "/opt/tmp/mypython")]
    public void Condition1_NotMet_DoesNotFire(string comm, string[] argv, string executable)
    {
        Assert.Empty(Run(Ev.Exec(argv, comm, executable)));
    }

    [Theory]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount/token")]
    [InlineData("/var/run/secrets/eks.amazonaws.com/serviceaccount/token")]
    [InlineData("/var/run/secrets/azure/tokens/azure-identity-token")]
    [InlineData("/var/lib/kubelet/kubeconfig")]
    [InlineData("/etc/kubernetes/pki/ca.key")]
    [InlineData("/etc/rancher/k3s/k3s.yaml")]
    [InlineData("/home/dev/.ssh/id_rsa")]
    [InlineData("/root/.ssh/id_ed25519")]
    [InlineData("/home/dev/.aws/credentials")]
    [InlineData("/root/.aws/cli/cache/0a1b.json")]
    [InlineData("/root/.aws/sso/cache/x.json")]
    [InlineData("/home/a/.azure/msal_token_cache.json")]
    [InlineData("/home/a/.config/gcloud/application_default_credentials.json")]
    [InlineData("/home/a/.config/gcloud/legacy_credentials")]
    [InlineData("/root/.kube/config")]
    [InlineData("/home/a/.docker/config.json")]
    [InlineData("--kubeconfig=/root/.kube/config")]
    public void Condition2_CredentialPathArgument_Fires(string path)
    {
        Assert.Equal(path, Fires(["cat", path], "cat").Data["argument"]);
    }

    [Theory]
    [InlineData("/etc/shadow.bak")]
    [InlineData("/etc/passwd")]
    [InlineData("/home/dev/.ssh/id_rsa.pub")]
    [InlineData("/home/dev/.ssh/id_ed25519")]
    [InlineData("/home/dev/.aws/config")]
    [InlineData("/root/.aws/cli/cache/x.txt")]
    [InlineData("/root/.kube/config.bak")]
    [InlineData("/root/.kube/cache")]
    public void Condition2_OtherArgument_DoesNotFire(string argument)
    {
        Assert.Empty(Run(Ev.Exec(["cat", argument], "cat")));
    }

    [Fact]
    public void Exec_InContainerAndInteractive_FiresToo()
    {
        Assert.Single(Run(Ev.Exec(["cat", "/etc/shadow"], "cat", interactive: true, container: "c1")));
    }

    [Fact]
    public void Exec_WithoutArgv_DoesNotFire()
    {
        SecurityEvent exec = Ev.Exec(["cat"], "cat") with { Process = new ProcessInfo { Name = "cat" } };

        Assert.Empty(Run(exec));
    }

    [Fact]
    public void FileOpen_IsNotSelected()
    {
        Assert.Empty(Run(Ev.Open("/etc/shadow")));
    }

    [Fact]
    public void Config_Lists_ReplaceTheDefaults()
    {
        var harness = new SignatureTestHost<CloudCredentialAccessSignature>("""{"processNames":["vault*"],"credentialPaths":["*/.vault-token"]}""");

        harness.Run(Ev.Exec(["cat", "/etc/shadow"], "cat"), Ev.Exec(["vault", "login", "/root/.vault-token"], "vault"));

        Assert.Equal("/root/.vault-token", Assert.Single(harness.Findings).Data["argument"]);
    }

    [Fact]
    public void Metadata_IsHighRisk73()
    {
        SignatureMetadata m = new CloudCredentialAccessSignature().Metadata;

        Assert.Equal(("SIGS-1004", Severity.High, 73), (m.Id, m.Severity, m.RiskScore));
        Assert.Equal(["TA0006"], m.Tactics);
        Assert.Equal(["T1552.001"], m.Techniques);
    }
}
