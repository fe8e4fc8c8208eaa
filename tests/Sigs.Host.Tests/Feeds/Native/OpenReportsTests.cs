using CsCheck;
using Sigs.Host.Feeds.Native;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds.Native;

public sealed class OpenReportsTests
{
    private const ulong Access = Linux.FanAccess;
    private const ulong Modify = Linux.FanModify;
    private const ulong CloseWrite = Linux.FanCloseWrite;
    private const ulong CloseNowrite = Linux.FanCloseNowrite;

    [Fact]
    public void ARead_IsReportedOnce_AtItsFirstEvent_AndAgainAfterItsClose()
    {
        var opens = new OpenReports();

        Assert.Equal(OpenFlags.ReadOnly, opens.Next(7, 1, Access));
        Assert.Null(opens.Next(7, 1, Access)); // the same open reading on
        Assert.Null(opens.Next(7, 1, CloseNowrite)); // its close
        Assert.Equal(0, opens.Open);
        Assert.Equal(OpenFlags.ReadOnly, opens.Next(7, 1, CloseNowrite)); // an open closed unread: still a read open
    }

    [Fact]
    public void Writes_AreWriteOnly_ReadsAndWritesTogetherAreReadWrite()
    {
        var opens = new OpenReports();

        Assert.Equal(OpenFlags.WriteOnly, opens.Next(7, 1, Modify | CloseWrite));
        Assert.Equal(OpenFlags.WriteOnly, opens.Next(7, 1, CloseWrite)); // opened for writing, closed unwritten (O_TRUNC)
        Assert.Equal(OpenFlags.ReadWrite, opens.Next(7, 1, Access | Modify));
    }

    [Fact]
    public void ForgottenOpens_AreReportedAgain_NeverMissed()
    {
        var opens = new OpenReports(capacity: 2);
        opens.Next(1, 1, Access);
        opens.Next(2, 1, Access);
        opens.Next(3, 1, Access); // forgets pid 1's open

        Assert.Equal(2, opens.Open);
        Assert.Equal(OpenFlags.ReadOnly, opens.Next(1, 1, Access));
    }

    [Fact]
    public void OtherProcessesAndOtherFiles_AreReportedApart()
    {
        var opens = new OpenReports();

        Assert.Equal(OpenFlags.ReadOnly, opens.Next(7, 1, Access));
        Assert.Equal(OpenFlags.ReadOnly, opens.Next(8, 1, Access));
        Assert.Equal(OpenFlags.ReadOnly, opens.Next(7, 2, Access));
        Assert.Null(opens.Next(7, 1, 0x20 /* FAN_OPEN: not subscribed */));
    }

    [Fact]
    public void AnySequence_ReportsExactlyTheOpensWithNoReportSinceTheirProcessLastClosedTheFile()
    {
        // Model: per (pid, file), "reported" from a report until a close; a close or a first event reports when
        // nothing was reported; the flags say read for any read bit, write for any write bit.
        ulong[] masks = [Access, Modify, CloseWrite, CloseNowrite, Access | CloseNowrite, Modify | CloseWrite, Access | Modify | CloseWrite];
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[0, masks.Length - 1]).Array[0, 300].Sample(events =>
        {
            var opens = new OpenReports();
            var reported = new HashSet<(int, ulong)>();
            foreach ((int pid, int file, int which) in events)
            {
                ulong mask = masks[which];
                bool closes = (mask & (CloseWrite | CloseNowrite)) != 0;
                bool expectReport = !reported.Contains((pid, (ulong)file));
                int? flags = opens.Next(pid, (ulong)file, mask);
                Assert.Equal(expectReport, flags is not null);
                if (flags is int f)
                {
                    bool reads = (mask & (Access | CloseNowrite)) != 0;
                    bool writes = (mask & (Modify | CloseWrite)) != 0;
                    Assert.Equal(reads && writes ? OpenFlags.ReadWrite : writes ? OpenFlags.WriteOnly : OpenFlags.ReadOnly, f);
                }

                if (closes)
                {
                    reported.Remove((pid, (ulong)file));
                }
                else
                {
                    reported.Add((pid, (ulong)file));
                }

                Assert.Equal(reported.Count, opens.Open);
            }
        }, iter: 2000);
    }
}
