using System.Runtime.InteropServices;
using Sigs.Host.Feeds.Native;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds.Native;

public class WatchPlanTests
{
    private static readonly EventSelector[] Opens = [new(EventNames.FileOpen)];

    [Theory]
    [InlineData("/etc/kubernetes/pki/", "/etc/kubernetes/pki/")]
    [InlineData("/var/lib/kubelet/pki/*", "/var/lib/kubelet/pki/")]
    [InlineData("/var/lib/kubelet/pods/*/volumes/", "/var/lib/kubelet/pods/")]
    [InlineData("/root/.aws/credentials", "/root/.aws/")]
    [InlineData("*/run/secrets/token", "/")]
    [InlineData("relative/path", null)]
    [InlineData("/etc/../root/", null)]
    public void FolderOf_TakesTheLiteralFolderBeforeTheFirstWildcard(string pattern, string? folder)
    {
        Assert.Equal(folder, WatchPlan.FolderOf(pattern));
    }

    [Fact]
    public void From_MergesNestedFoldersAndSkipsSignaturesWithoutFileEvents()
    {
        WatchPlan plan = WatchPlan.From(
        [
            (Opens, ["/etc/kubernetes/pki/", "/etc/kubernetes/pki/etcd/"]),
            ([new EventSelector(EventNames.FileRename)], ["/var/lib/kubelet/pki/*"]),
            ([new EventSelector(EventNames.ProcessExec)], ["/home/"]),
            ([new EventSelector(EventNames.FileOpen, EventSources.Tracee)], ["/opt/"]),
        ]);

        Assert.Equal(["/etc/kubernetes/pki/", "/var/lib/kubelet/pki/"], plan.Folders);
        Assert.True(plan.Opens);
        Assert.True(plan.Renames);
    }

    [Fact]
    public void From_NoFilePatterns_IsEmpty()
    {
        Assert.True(WatchPlan.From([(Opens, [])]).IsEmpty);
        Assert.Equal(WatchPlan.From([(Opens, ["/a/"])]), WatchPlan.From([(Opens, ["/a/"])]));
        Assert.NotEqual(WatchPlan.From([(Opens, ["/a/"])]), WatchPlan.From([(Opens, ["/b/"])]));
    }

    [Theory]
    [InlineData("257 0xffffff9c 0x7ffd02309748 0x0 0x0 0x0 0x0 0x7ffd023089e0 0x7f63e9ffc011", 0)]
    [InlineData("257 0xffffff9c 0x7ffd02309748 0x241 0x1b6 0x0 0x0 0x7ffd023089e0 0x7f63e9ffc011", 0x241)]
    [InlineData("2 0x7ffd02309748 0x2 0x0 0x0 0x0 0x0 0x7ffd023089e0 0x7f63e9ffc011", 2)]
    [InlineData("85 0x7ffd02309748 0x1a4 0x0 0x0 0x0 0x0 0x7ffd023089e0 0x7f63e9ffc011", 0x241)]
    [InlineData("437 0xffffff9c 0x7ffd02309748 0x7ffd0230a000 0x18 0x0 0x0 0x7ffd023089e0 0x7f63e9ffc011", null)]
    [InlineData("running", null)]
    [InlineData(null, null)]
    public void FlagsFromSyscall_X64_ReadsTheFlagsArgumentOfOpenCalls(string? syscall, int? flags)
    {
        Assert.Equal(flags, FileProbe.FlagsFromSyscall(syscall, Architecture.X64));
    }

    [Fact]
    public void FlagsFromSyscall_Arm64_UsesItsOwnNumbers()
    {
        Assert.Equal(1, FileProbe.FlagsFromSyscall("56 0xffffff9c 0xffffd000 0x1 0x0 0x0 0x0 0xffffc000 0x4000", Architecture.Arm64));
        Assert.Null(FileProbe.FlagsFromSyscall("257 0xffffff9c 0xffffd000 0x1 0x0 0x0 0x0 0xffffc000 0x4000", Architecture.Arm64));
    }
}
