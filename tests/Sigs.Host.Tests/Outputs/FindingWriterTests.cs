using Microsoft.Extensions.Time.Testing;
using Sigs.Host.Engine;
using Sigs.Host.Outputs;
using Sigs.Host.Tests.Engine;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Outputs;

/// <summary>Findings leave through one bounded queue: a report never waits on an output, and a full queue is counted, logged and reported.</summary>
public class FindingWriterTests
{
    private static readonly SignatureMetadata Meta = new()
    {
        Id = "T-1", Version = "1", Name = "t", EventName = "t", Description = "t", Severity = Severity.Low,
    };

    /// <summary>An output that blocks until released, as a stalled disk does.</summary>
    private sealed class StalledOutput : IFindingOutput
    {
        private readonly ManualResetEventSlim _release = new();
        private int _written;

        public string Name => "stalled";

        public int Written => Volatile.Read(ref _written);

        public void Release() => _release.Set();

        public void Write(Finding finding, ReadOnlyMemory<byte> json)
        {
            _release.Wait();
            Interlocked.Increment(ref _written);
        }

        public void Dispose() => _release.Dispose();
    }

    private static Finding Finding(int n) => new(DateTimeOffset.UnixEpoch, Meta, TestEvents.Make(EventNames.FileOpen), new Dictionary<string, object?> { ["n"] = n });

    [Fact]
    public async Task AStalledOutput_NeverHoldsTheReporter_AndAFullQueueIsCountedLoggedAndReported()
    {
        var output = new StalledOutput();
        var logs = new CapturingLoggerFactory();
        var clock = new FakeTimeProvider();
        using var writer = new FindingWriter([output], logs.CreateLogger("outputs"), clock);

        for (int n = 0; n < FindingWriter.Capacity + 10; n++)
        {
            writer.Publish(Finding(n)); // returns at once: the first waits in the output, the rest in the queue
        }

        Assert.InRange(writer.Dropped, 9, 10); // the one the writer took out left room for one more
        Assert.Equal(FindingWriter.Capacity + 10 - writer.Dropped, writer.Published);
        Assert.NotNull(writer.Problem);
        Assert.Equal(4, logs.LinesContaining("findings queue").Count); // the 1st, 2nd, 4th and 8th drop

        output.Release();
        await writer.FlushAsync();
        Assert.Equal(writer.Published, output.Written);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(writer.Problem);
    }

    [Fact]
    public async Task After_CallsBackOnceTheFindingsBeforeItWereWritten()
    {
        var output = new CollectingOutput();
        using var writer = new FindingWriter([output], new CapturingLoggerFactory().CreateLogger("outputs"));
        var seen = new TaskCompletionSource<int>();

        writer.Publish(Finding(1));
        writer.Publish(Finding(2));
        writer.After(() => seen.SetResult(output.Findings.Count));

        Assert.Equal(2, await seen.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
