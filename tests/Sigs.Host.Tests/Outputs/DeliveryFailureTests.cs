using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Sigs.Host.Common;
using Sigs.Host.Engine;
using Sigs.Host.Outputs;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Outputs;

/// <summary>
/// The http output when its spool's filesystem turns read-only or fills up (a real tmpfs, as root), and against a
/// receiver that answers 200 with a body that never ends.
/// </summary>
public sealed class DeliveryFailureTests : IAsyncLifetime
{
    private readonly CapturingLoggerFactory _logs = new();
    private readonly ConcurrentQueue<string> _received = new();
    private readonly int _port = Ports.Free();
    private WebApplication? _receiver;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.StopAsync();
            await _receiver.DisposeAsync();
        }
    }

    private static Finding MakeFinding(int n) => new(
        DateTimeOffset.UnixEpoch.AddSeconds(n),
        new SignatureMetadata { Id = "SIGS-1004", Version = "1", Name = "n", EventName = "e", Description = "d", Severity = Severity.High },
        new SecurityEvent { Time = DateTimeOffset.UnixEpoch.AddSeconds(n), Source = EventSources.Native, Name = EventNames.ProcessExec },
        new Dictionary<string, object?> { ["n"] = n });

    private static void Write(IFindingOutput output, int n)
    {
        Finding finding = MakeFinding(n);
        output.Write(finding, FindingJson.Serialize(finding));
    }

    /// <summary>A receiver that takes every finding; with <paramref name="endlessBody"/> its 200 comes with a body that never ends.</summary>
    private async Task StartReceiverAsync(bool endlessBody = false)
    {
        _receiver = LoopbackWebApp.Create(new Uri($"http://127.0.0.1:{_port}"), WebAccess.Open);
        _receiver.MapPost("/findings", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            _received.Enqueue(await reader.ReadToEndAsync());
            context.Response.StatusCode = 200;
            if (!endlessBody)
            {
                return;
            }

            // 1 MiB at a time until the client goes away (bounded: at most 4 GiB or 2 minutes).
            byte[] chunk = new byte[1 << 20];
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            limit.CancelAfter(TimeSpan.FromMinutes(2));
            try
            {
                for (int i = 0; i < 4096 && !limit.IsCancellationRequested; i++)
                {
                    await context.Response.Body.WriteAsync(chunk, limit.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client closed the connection.
            }
        });
        await _receiver.StartAsync();
    }

    private DeliveringOutput Http(string? spool = null) => new(
        new HttpTarget(new Uri($"http://127.0.0.1:{_port}/findings"), false, new Dictionary<string, string>(), TimeSpan.FromSeconds(30)),
        spool,
        1000,
        _logs.CreateLogger("http"),
        new ReconnectDelays(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)));

    [Fact]
    public async Task ASpoolTurnedReadOnly_NeitherStopsDelivery_NorLosesAFinding_AndSaysSoUntilItIsWritableAgain()
    {
        using var disk = new Tmpfs("4m");
        string spool = Path.Combine(disk.Path, "spool");
        using DeliveringOutput output = Http(spool);
        for (int n = 0; n < 3; n++)
        {
            Write(output, n); // the receiver is down: spooled
        }

        disk.ReadOnly(true); // as ext4 does on an I/O error
        await StartReceiverAsync();
        await Eventually.TrueAsync(() => output.Delivered == 3, "the spooled findings");
        Assert.Contains("cannot delete delivered entries", output.Deliveries.Problem, StringComparison.Ordinal);
        Assert.Equal(3, Directory.GetFiles(spool).Length);

        for (int n = 3; n < 6; n++)
        {
            Write(output, n); // cannot be spooled: kept in memory, delivered all the same
        }

        await Eventually.TrueAsync(() => output.Delivered == 6, "the findings that could not be spooled");
        Assert.Equal(0, output.Dropped);
        Assert.Equal(0, output.Deliveries.Unspooled);
        Assert.Contains("cannot write", output.Deliveries.Problem, StringComparison.Ordinal);

        disk.ReadOnly(false);
        Write(output, 6);
        // The problem clears before its recovery is logged (another thread may look in between): wait for both.
        await Eventually.TrueAsync(() => output.Delivered == 7 && output.Deliveries.Problem is null && _logs.LinesContaining("its spool works again").Count > 0, "the spool to work again");
        Assert.Empty(Directory.GetFiles(spool));
        Assert.Equal(Enumerable.Range(0, 7), _received.Select(body => int.Parse(Regex.Match(body, "\"n\":(\\d+)").Groups[1].Value, CultureInfo.InvariantCulture)));
        Assert.NotEmpty(_logs.LinesContaining("cannot delete delivered entries"));
        Assert.Single(_logs.LinesContaining("its spool works again"));
    }

    [Fact]
    public async Task AFullSpool_KeepsFindingsInMemory_AndLeavesNoTemporaryFile()
    {
        using var disk = new Tmpfs("256k");
        string spool = Path.Combine(disk.Path, "spool");
        using DeliveringOutput output = Http(spool);
        disk.Fill();

        for (int n = 0; n < 50; n++)
        {
            Write(output, n); // the receiver is down, the disk full
        }

        Assert.Equal(0, output.Dropped);
        Assert.Equal(50, output.Deliveries.Unspooled);
        Assert.Empty(Directory.GetFiles(spool, "*.tmp"));
        Assert.Single(_logs.LinesContaining("findings wait in memory"));

        await StartReceiverAsync();
        await Eventually.TrueAsync(() => output.Delivered == 50, "every finding");
        Assert.Equal(0, output.Deliveries.Unspooled);
    }

    [Fact]
    public void ASpoolFolder_AtStart_LosesTheTemporaryFilesACrashLeft_AndKeepsItsEntries()
    {
        using var folder = new TempFolder();
        folder.File("00000000000000000001-0000000001.json", "{}");
        folder.File("00000000000000000002-0000000002.json.tmp", "{");

        var spool = new DiskSpool(folder.Path, ".json", 10, TimeProvider.System);

        Assert.Equal(1, spool.LeftoversRemoved);
        Assert.Single(spool.Existing);
        Assert.Equal(["00000000000000000001-0000000001.json"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ASpoolFolder_ReadOnlyAtStart_StillStarts_AndSaysWhatItCouldNotRemove()
    {
        using var disk = new Tmpfs("1m");
        string spool = Directory.CreateDirectory(Path.Combine(disk.Path, "spool")).FullName;
        File.WriteAllText(Path.Combine(spool, "00000000000000000001-0000000001.json"), "{}");
        File.WriteAllText(Path.Combine(spool, "00000000000000000002-0000000002.json.tmp"), "{");
        disk.ReadOnly(true);

        var started = new DiskSpool(spool, ".json", 10, TimeProvider.System);

        Assert.Equal(0, started.LeftoversRemoved);
        Assert.Single(started.Existing);
        Assert.StartsWith($"cannot remove what an interrupted write left in {spool}", started.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReceiverAnsweringWithAnEndlessBody_GetsEachFindingOnce_AndHoldsNothing()
    {
        await StartReceiverAsync(endlessBody: true);
        using DeliveringOutput output = Http();
        long before = GC.GetTotalMemory(forceFullCollection: true);

        for (int n = 0; n < 3; n++)
        {
            Write(output, n);
        }

        await Eventually.TrueAsync(() => output.Delivered == 3, "the findings to be delivered (a 200 is all it takes)");
        Assert.Equal(0, output.Retries);
        Assert.Equal(3, _received.Count);
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) - before < 64L << 20, "the body was buffered");
    }
}
