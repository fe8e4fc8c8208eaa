using Sigs.Host.Feeds;
using Sigs.Plugins;
using static Sigs.Host.Tests.Feeds.DecodeHelper;

namespace Sigs.Host.Tests.Feeds;

[Collection(Sigs.Host.Tests.Feeds.DecoderCountersCollection.Name)]
public class FalcoAlertDecoderTests
{
    private static string Alert(string fields) =>
        $$$"""{"hostname":"node-2","output":"x","priority":"Notice","rule":"Any rule name","source":"syscall","tags":[],"time":"2025-11-02T10:00:10.000000000Z","output_fields":{{{{fields}}}}}""";

    [Fact]
    public void Decode_OpenInContainer_MapsByFieldNames()
    {
        SecurityEvent e = Single(Alert("""
            "evt.type":"openat","fd.name":"/var/lib/kubelet/pki/kubelet.crt","evt.arg.flags":"O_RDWR|O_CLOEXEC","proc.pid":7101,"proc.vpid":12,
            "proc.ppid":7090,"proc.name":"head","proc.exepath":"/usr/bin/head","proc.cmdline":"head -c 4 /var/lib/kubelet/pki/kubelet.crt",
            "proc.tty":34816,"user.uid":0,"container.id":"9e8d7c6b5a4f","container.name":"debug","container.image.repository":"busybox",
            "container.image.tag":"1.36","k8s.pod.name":"debug-shell","k8s.ns.name":"default","k8s.pod.uid":"u2"
            """), InputFormat.FalcoAlert);

        Assert.Equal(EventSources.Falco, e.Source);
        Assert.Equal(EventNames.FileOpen, e.Name);
        Assert.Equal(EventOrigin.Container, e.Origin);
        Assert.Equal("node-2", e.HostName);
        Assert.Equal(new FileEventInfo { Path = "/var/lib/kubelet/pki/kubelet.crt", Flags = 0x80002 }, e.File);
        Assert.Equal(7101, e.Process!.HostPid);
        Assert.Equal(12, e.Process.Pid);
        Assert.Equal(7090, e.Process.ParentPid);
        Assert.Equal("head", e.Process.Name);
        Assert.Equal(["head", "-c", "4", "/var/lib/kubelet/pki/kubelet.crt"], e.Process.Args);
        Assert.True(e.Process.Interactive);
        Assert.Equal(new ContainerInfo { Id = "9e8d7c6b5a4f", Name = "debug", Image = "busybox:1.36" }, e.Container);
        Assert.Equal(new KubernetesInfo { PodName = "debug-shell", Namespace = "default", PodUid = "u2" }, e.Kubernetes);
        Assert.Equal("34816", e.Arguments["proc.tty"]);
    }

    [Fact]
    public void Decode_ExecOnHost_UsesExeAndArgsAndHostOrigin()
    {
        SecurityEvent e = Single(Alert("""
            "evt.type":"execve","proc.pid":1,"proc.name":"cat","proc.exe":"cat","proc.args":"/root/.aws/credentials","proc.tty":0,"container.id":"host"
            """), InputFormat.FalcoAlert);

        Assert.Equal(EventNames.ProcessExec, e.Name);
        Assert.Equal(EventOrigin.Host, e.Origin);
        Assert.Null(e.Container);
        Assert.Equal(["cat", "/root/.aws/credentials"], e.Process!.Args);
        Assert.False(e.Process.Interactive);
    }

    [Fact]
    public void Decode_ExecWithParentFields_MapsParentUserAndDirectory()
    {
        SecurityEvent e = Single(Alert("""
            "evt.type":"execve","proc.pid":7,"proc.name":"curl","proc.exe":"curl","proc.args":"-s http://x","proc.pexepath":"/usr/bin/bash","proc.pexe":"bash","proc.pcmdline":"bash -c curl -s http://x","proc.cwd":"/tmp/","user.name":"root","container.id":"host"
            """), InputFormat.FalcoAlert);

        Assert.Equal("/usr/bin/bash", e.Process!.ParentExecutable);
        Assert.Equal(["bash", "-c", "curl", "-s", "http://x"], e.Process.ParentArgs);
        Assert.Equal("/tmp/", e.Process.WorkingDirectory);
        Assert.Equal("root", e.Process.UserName);
    }

    [Fact]
    public void Decode_RenameWithPathFields_MapsOldAndNew()
    {
        SecurityEvent e = Single(Alert("""
            "evt.type":"renameat2","fs.path.source":"/etc/kubernetes/pki/sa.key","fs.path.target":"/tmp/sa.key","proc.name":"mv"
            """), InputFormat.FalcoAlert);

        Assert.Equal(EventNames.FileRename, e.Name);
        Assert.Equal(new FileEventInfo { OldPath = "/etc/kubernetes/pki/sa.key", NewPath = "/tmp/sa.key", Path = "/tmp/sa.key" }, e.File);
        Assert.Null(e.Process!.Interactive);
    }

    [Theory]
    [InlineData("\"proc.name\":\"cat\"", "output_fields has no 'evt.type'")]
    [InlineData("\"evt.type\":\"connect\"", "evt.type 'connect' has no contract event")]
    public void Decode_UnusableAlert_SaysWhy(string fields, string expected)
    {
        Assert.Contains(expected, Error(Alert(fields)), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_FieldInAnUnknownForm_DeliversTheAlertWithThatPartUnknownAndCountsIt()
    {
        long before = ArgumentForms.Unknown.GetValueOrDefault((EventSources.Falco, "proc.tty"));

        SecurityEvent e = Single(Alert("""
            "evt.type":"execve","proc.name":"cat","proc.pid":"abc","proc.tty":"pts/0","proc.args":"/etc/hosts"
            """), InputFormat.FalcoAlert);

        Assert.Equal(before + 1, ArgumentForms.Unknown[(EventSources.Falco, "proc.tty")]);
        Assert.Null(e.Process!.HostPid);
        Assert.Null(e.Process.Interactive);
        Assert.Equal(["cat", "/etc/hosts"], e.Process.Args);
    }

    [Theory]
    [InlineData("\"proc.tty\":34816", true)]
    [InlineData("\"proc.tty\":\"34816\"", true)]
    [InlineData("\"proc.tty\":0", false)]
    [InlineData("\"proc.tty\":\"0\"", false)]
    public void Decode_TtyAsNumberOrText_GivesTheSameInteractive(string tty, bool interactive)
    {
        SecurityEvent e = Single(Alert($"\"evt.type\":\"execve\",\"proc.name\":\"sh\",{tty}"), InputFormat.FalcoAlert);

        Assert.Equal(interactive, e.Process!.Interactive);
    }

    [Theory]
    [InlineData("\"proc.exe\":\"/bin/cat\",\"proc.args\":\"-n /etc/hosts\"", new[] { "/bin/cat", "-n", "/etc/hosts" })]
    [InlineData("\"proc.name\":\"cat\",\"proc.args\":\"-n /etc/hosts\"", new[] { "cat", "-n", "/etc/hosts" })]
    [InlineData("\"proc.exe\":\"/bin/cat\",\"proc.cmdline\":\"cat -n /etc/hosts\"", new[] { "cat", "-n", "/etc/hosts" })]
    [InlineData("\"proc.cmdline\":\"cat -n /etc/hosts\"", new[] { "cat", "-n", "/etc/hosts" })]
    [InlineData("\"proc.exe\":\"/bin/cat\",\"proc.args\":\"\"", new[] { "/bin/cat" })]
    public void Decode_ArgsOrCmdline_GiveTheArgumentsEitherWay(string fields, string[] argv)
    {
        SecurityEvent e = Single(Alert($"\"evt.type\":\"execve\",{fields}"), InputFormat.FalcoAlert);

        Assert.Equal(argv, e.Process!.Args);
    }
}
