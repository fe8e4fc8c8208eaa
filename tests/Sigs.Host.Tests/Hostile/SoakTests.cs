using System.Text;
using Sigs.Host.Contract;
using Sigs.Host.Enrichment;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Hostile;

/// <summary>
/// Long runs with bounded counts: memory must stay flat. Measured as the managed heap after a full collection,
/// once warmed up and again after several times more work; what was kept per event would show as growth.
/// </summary>
[Trait("Category", "Slow")]
[Collection(SoakCollection.Name)]
public sealed class SoakTests : IDisposable
{
    private const long FlatBytes = 256 * 1024;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static long Heap() => GC.GetTotalMemory(forceFullCollection: true);

    [Fact]
    public void ExecExitChurn_ThroughTheProbesProcessCacheAndTheProcessTable_KeepsMemoryFlat()
    {
        // Every pid is new and gone at once, as on a busy node: the probe's cache reads a /proc without them.
        var known = new KnownProcesses(_folder.Path, capacity: 1024);
        var table = new ProcessTable(1024);
        void Churn(int from, int count)
        {
            for (int pid = from; pid < from + count; pid++)
            {
                known.OnExec(pid);
                known.OnExit(pid);
                var process = new ProcessInfo { HostPid = pid, EntityId = (ulong)pid, Name = "true", Args = ["true"] };
                table.Enrich(new SecurityEvent { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Tracee, Name = EventNames.ProcessExec, Process = process });
                table.Enrich(new SecurityEvent { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Tracee, Name = EventNames.ProcessExit, Process = process });
            }
        }

        Churn(1_000_000, 20_000);
        long warm = Heap();
        Churn(2_000_000, 80_000);
        long after = Heap();

        // The cache this replaced kept every exited pid in its order queue: about 400 KB more here.
        Assert.Equal(0, table.Count);
        Assert.True(after - warm < FlatBytes, $"heap grew by {after - warm} bytes over 80,000 exec/exit pairs");
    }

    [Fact]
    public async Task FollowedFile_AtFullSpeed_KeepsMemoryFlat()
    {
        string path = Path.Combine(_folder.Path, "events.jsonl");
        string line = File.ReadLines(Path.Combine(RepoPaths.Examples, "01-node-tracee.jsonl")).First() + "\n";
        byte[] block = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(line, 1000)));
        await File.WriteAllBytesAsync(path, []);
        var sink = new CountingSink();
        using var stop = new CancellationTokenSource();
        var feed = new FileFeed(path, follow: true, new CapturingLoggerFactory().CreateLogger("file"));
        Task running = feed.RunAsync(sink, stop.Token);
        async Task AppendAsync(int blocks)
        {
            long target = sink.Count + (blocks * 1000L);
            await using (var writer = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                for (int i = 0; i < blocks; i++)
                {
                    await writer.WriteAsync(block);
                }
            }

            await Eventually.TrueAsync(() => sink.Count >= target, $"{target} events", TimeSpan.FromSeconds(120));
        }

        await AppendAsync(50);
        long warm = Heap();
        await AppendAsync(200);
        long after = Heap();
        await stop.CancelAsync();
        await running.ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.Equal(250_000, sink.Count);
        Assert.Equal(0, feed.Counters.DecodeErrors);
        Assert.True(after - warm < 8 * FlatBytes, $"heap grew by {after - warm} bytes over 200,000 followed lines");
    }

    /// <summary>Takes every event and keeps only the count, as an engine that keeps up would.</summary>
    private sealed class CountingSink : IEventSink
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.CompletedTask;
        }

        public bool TryPublishAll(IReadOnlyList<SecurityEvent> events)
        {
            Interlocked.Add(ref _count, events.Count);
            return true;
        }
    }
}
