using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sigs.Host.Engine;
using Sigs.Host.Common;

namespace Sigs.Host.Outputs;

/// <summary>
/// Findings leave through one bounded queue drained by one writer: <see cref="Publish"/> hands a finding off and
/// returns at once, so no signature's call waits on an output (a slow disk, a spool's fsync), and the writer
/// serializes each finding once and hands it to every output, in the order findings were reported. A failing
/// output is logged and counted; the others still receive the finding. A full queue drops the finding, counted
/// (<c>sigs_drops_total{stage="findings"}</c>), logged and reported by /healthz for a minute.
/// </summary>
internal sealed partial class FindingWriter : IFindingSink, IDisposable
{
    /// <summary>Findings waiting for the writer at most.</summary>
    public const int Capacity = 16_384;

    /// <summary>How long <see cref="Dispose"/> lets the writer finish what was reported.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<IFindingOutput> _outputs;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly Channel<Entry> _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(Capacity) { SingleReader = true });
    private readonly RecordedCount _outputFailures = new();
    private readonly RecordedCount _dropped = new();
    private readonly Task _writer;
    private Histogram<double>? _latency;
    private long _published;
    private long _lastDropAt = long.MinValue;

    public FindingWriter(IReadOnlyList<IFindingOutput> outputs, ILogger logger, TimeProvider? clock = null)
    {
        _outputs = outputs;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
        _writer = Task.Factory.StartNew(WriteAllAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Findings reported and handed to the writer.</summary>
    public long Published => Interlocked.Read(ref _published);

    public long OutputFailures => _outputFailures.Value;

    /// <summary>Findings dropped because the queue was full.</summary>
    public long Dropped => _dropped.Value;

    /// <summary>Findings waiting for the writer now.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>The outputs findings go to, in order.</summary>
    public IReadOnlyList<IFindingOutput> Outputs => _outputs;

    /// <summary>Why findings are being lost now (for /healthz), or null: a drop in the last minute.</summary>
    public string? Problem =>
        Volatile.Read(ref _lastDropAt) is var at && at != long.MinValue && _clock.GetElapsedTime(at) < TimeSpan.FromMinutes(1)
            ? $"{Dropped} findings dropped so far: the findings queue ({Capacity}) was full (an output cannot keep up)"
            : null;

    /// <summary>Records its counts, and its outputs', on the host's instruments from now on.</summary>
    public void Attach(SigsInstruments instruments)
    {
        _outputFailures.Attach(instruments, instruments.Drops, SigsInstruments.DropTags("output"));
        _dropped.Attach(instruments, instruments.Drops, SigsInstruments.DropTags("findings"));
        _latency = instruments.FindingLatency;
        foreach (IFindingOutput output in _outputs)
        {
            output.Attach(instruments);
        }
    }

    public void Publish(Finding finding)
    {
        if (_queue.Writer.TryWrite(new Entry(finding, null)))
        {
            Interlocked.Increment(ref _published);
            return;
        }

        long dropped = _dropped.Add();
        Volatile.Write(ref _lastDropAt, _clock.GetTimestamp());
        if (long.IsPow2(dropped))
        {
            LogDropped(_logger, finding.Signature.Id, Capacity, dropped);
        }
    }

    /// <summary>
    /// Calls <paramref name="done"/> once every finding reported before it was handed to the outputs (at once when
    /// the queue is full or closed: what came before was dropped and counted then).
    /// </summary>
    public void After(Action done)
    {
        if (!_queue.Writer.TryWrite(new Entry(null, done)))
        {
            done();
        }
    }

    /// <summary>Completes once every finding reported so far was handed to the outputs.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Entry(null, written.SetResult), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return;
        }

        await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for <see cref="FlushAsync"/> on a caller that cannot await (tests, the synchronous end of replay).</summary>
    public void Flush() => FlushAsync().GetAwaiter().GetResult();

    /// <summary>Writes what was reported (within a deadline), then disposes the outputs.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.Wait(DrainTimeout);
        foreach (IFindingOutput output in _outputs)
        {
            output.Dispose();
        }
    }

    private async Task WriteAllAsync()
    {
        await foreach (Entry entry in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (entry.Finding is { } finding)
            {
                Write(finding);
            }

            entry.Done?.Invoke();
        }
    }

    private void Write(Finding finding)
    {
        _latency?.Record(Math.Max(0, (_clock.GetUtcNow() - finding.Event.Time).TotalSeconds)); // a sensor clock ahead of ours is no negative time
        byte[] json = FindingJson.Serialize(finding);
        foreach (IFindingOutput output in _outputs)
        {
            try
            {
                output.Write(finding, json);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or UnauthorizedAccessException or InvalidOperationException)
            {
                _outputFailures.Add();
                LogOutputFailed(_logger, output.Name, finding.Signature.Id, ex.Message);
            }
        }
    }

    /// <summary>A finding to write, or a callback to call once everything before it was written.</summary>
    private readonly record struct Entry(Finding? Finding, Action? Done);
}
