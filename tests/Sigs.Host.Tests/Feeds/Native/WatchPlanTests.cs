using Sigs.Host.Feeds;
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
}
