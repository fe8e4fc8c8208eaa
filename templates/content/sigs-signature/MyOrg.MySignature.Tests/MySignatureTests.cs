using Sigs.Plugins;
using Sigs.Plugins.Testing;

namespace MyOrg.MySignature.Tests;

public class MySignatureTests
{
    [Fact]
    public void ShadowReadByUnlistedProcess_Fires()
    {
        var host = new SignatureTestHost<MySignature>().Run(TestEvents.FileOpen("/etc/shadow", processName: "cat"));

        TestFinding finding = Assert.Single(host.Findings);
        Assert.Equal("MYORG-0001", finding.Signature.Id);
        Assert.Equal("cat", finding.Data["process"]);
    }

    [Fact]
    public void ShadowReadByAllowedProcess_DoesNotFire()
    {
        var host = new SignatureTestHost<MySignature>().Run(TestEvents.FileOpen("/etc/shadow", processName: "sshd"));

        Assert.Empty(host.Findings);
    }

    [Fact]
    public void WriteOnlyOrOtherFile_DoesNotFire()
    {
        var host = new SignatureTestHost<MySignature>().Run(
            TestEvents.FileOpen("/etc/shadow", processName: "cat", flags: OpenFlags.WriteOnly),
            TestEvents.FileOpen("/etc/passwd", processName: "cat"));

        Assert.Empty(host.Findings);
    }

    [Fact]
    public void Config_AllowList_IsUsed()
    {
        var host = new SignatureTestHost<MySignature>("""{ "allowedProcesses": ["cat"] }""")
            .Run(TestEvents.FileOpen("/etc/shadow", processName: "cat"));

        Assert.Empty(host.Findings);
    }

    [Fact]
    public void Config_OfTheWrongShape_IsRejectedLikeTheHostDoes()
    {
        Assert.Throws<SignatureConfigException>(() => new SignatureTestHost<MySignature>("""{ "allowedProcesses": "cat" }"""));
    }

    [Fact]
    public void FalcoAlert_IsDecodedAndFires()
    {
        IReadOnlyList<SecurityEvent> events = TestEvents.FromJsonLines("""
            {"rule":"Read sensitive file","priority":"Warning","time":"2025-11-02T10:00:00Z","output_fields":{"evt.type":"openat","fd.name":"/etc/shadow","evt.arg.flags":"O_RDONLY","proc.name":"python3","container.id":"host"}}
            """);

        Assert.Single(new SignatureTestHost<MySignature>().Run(events).Findings);
    }
}
