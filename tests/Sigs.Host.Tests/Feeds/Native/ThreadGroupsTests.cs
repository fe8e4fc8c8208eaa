using Sigs.Host.Feeds.Native;

namespace Sigs.Host.Tests.Feeds.Native;

public sealed class ThreadGroupsTests
{
    [Fact]
    public void GroupOf_AThreadOfThisProcess_IsThisProcess_AndAGoneThreadIsUnknown()
    {
        var groups = new ThreadGroups();
        int workerTid = 0;
        var worker = new Thread(() => workerTid = Gettid());
        worker.Start();
        worker.Join();
        int mainTid = Gettid();

        WaitUntilGone(workerTid);

        Assert.NotEqual(Environment.ProcessId, workerTid);
        Assert.Equal(Environment.ProcessId, groups.GroupOf(mainTid, sameThread: false));
        Assert.Null(groups.GroupOf(workerTid, sameThread: false));
    }

    [Fact]
    public void GroupOf_TheSameThreadAgain_ComesFromWhatWasRead_AndOtherwiseIsReadAgain()
    {
        var groups = new ThreadGroups();
        int tid = 0;
        using var read = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            tid = Gettid();
            read.Set();
            done.Wait();
        });
        worker.Start();
        read.Wait();
        Assert.Equal(Environment.ProcessId, groups.GroupOf(tid, sameThread: false));
        done.Set();
        worker.Join();
        WaitUntilGone(tid);

        // The thread is gone now: only what was read before answers, and only when the caller vouches for it.
        Assert.Equal(Environment.ProcessId, groups.GroupOf(tid, sameThread: true));
        Assert.Null(groups.GroupOf(tid, sameThread: false));
        Assert.Null(groups.GroupOf(tid, sameThread: true)); // the failed read forgot it
    }

    [Theory]
    [InlineData("Name:\tpython3\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\nPid:\t4250\n", 4242)]
    [InlineData("Name:\tx\nTgid:\t7", 7)]
    [InlineData("Name:\tx\nPid:\t7\n", null)]
    [InlineData("Name:\tx\nTgid:\tseven\n", null)]
    [InlineData(null, null)]
    public void ParseTgid_ReadsTheTgidLine(string? status, int? tgid) =>
        Assert.Equal(tgid, ThreadGroups.ParseTgid(status));

    /// <summary>Join returns when the managed thread is done; the OS thread may take a moment longer to go.</summary>
    private static void WaitUntilGone(int tid)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Directory.Exists($"/proc/self/task/{tid}"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"thread {tid} did not exit");
            Thread.Sleep(10);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int gettid();

    private static int Gettid() => gettid();
}
