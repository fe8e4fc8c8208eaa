using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Files;

/// <summary>Counts what a JSON-lines input produced: events per format, skipped lines, and skipped items of kept lines.</summary>
internal sealed class InputCounters
{
    private readonly long[] _eventsByFormat = new long[Enum.GetValues<InputFormat>().Length];
    private long _skippedLines;
    private long _skippedParts;
    private long _bytes;

    public long SkippedLines => Interlocked.Read(ref _skippedLines);

    /// <summary>Items skipped from lines whose other items were kept (an audit EventList's bad item).</summary>
    public long SkippedParts => Interlocked.Read(ref _skippedParts);

    /// <summary>Bytes of the lines handed on so far (each with its line end), for progress.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public long Events(InputFormat format) => Interlocked.Read(ref _eventsByFormat[(int)format]);

    public long TotalEvents => Enum.GetValues<InputFormat>().Sum(Events);

    public void CountEvents(InputFormat format, int count) => Interlocked.Add(ref _eventsByFormat[(int)format], count);

    public void CountSkipped() => Interlocked.Increment(ref _skippedLines);

    public void CountSkippedPart() => Interlocked.Increment(ref _skippedParts);

    public void CountBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);
}

/// <summary>One line, decoded; <see cref="Decoded"/> is null for a line over the length limit.</summary>
internal readonly record struct DecodedLine(long Number, int Length, DecodedInput? Decoded);

/// <summary>An input being decoded: its lines in order, as they are decoded; disposing it stops the decoding.</summary>
internal sealed class DecodingInput(ChannelReader<List<DecodedLine>> lines, CancellationTokenSource stop) : IDisposable
{
    public ChannelReader<List<DecodedLine>> Lines => lines;

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            stop.Cancel();
            stop.Dispose();
        }
    }
}

/// <summary>
/// Reads JSON lines in any supported format, in order, and hands each decoded event on. A bad line is logged
/// with its file and line number, counted and skipped; reading goes on.
/// </summary>
/// <remarks>
/// One task reads and decodes the lines, those of one read of the input at a time, up to <see cref="DecodedAhead"/>
/// reads ahead of the one whose events are being handed on, so decoding runs beside the engine on a second core;
/// events, skips and their log lines still come in input order. (Decoding the reads on several threads of the
/// pool was measured slower on two cores: 3.6-3.9 s against 2.5-2.8 s for 200,000 Tracee events.)
/// </remarks>
internal sealed partial class JsonLinesSource(
    ILogger logger,
    InputCounters counters,
    int maxLineBytes = BoundedLineReader.DefaultMaxLineBytes,
    Action<string, long, string>? onSkipped = null)
{
    /// <summary>
    /// Reads (of up to <see cref="BoundedLineReader.ReadBytes"/>) decoded ahead: what bounds the memory, and what lets
    /// decoding start before the engine is ready. Few, because the events waiting here outlive collections and are
    /// promoted: 64 reads ahead cost a replay of 200,000 Tracee events 193-267 ms of collection pauses, 4 cost
    /// 130-174 ms, at the same speed otherwise.
    /// </summary>
    public const int DecodedAhead = 4;

    public Task ReadAsync(Stream stream, string displayName, Func<SecurityEvent, ValueTask> onEvent, CancellationToken cancellationToken) =>
        HandOnAsync(Decode(stream, cancellationToken), displayName, onEvent, cancellationToken);

    /// <summary>Starts decoding <paramref name="stream"/>; <see cref="HandOnAsync"/> takes the results in order.</summary>
    public DecodingInput Decode(Stream stream, CancellationToken cancellationToken)
    {
        var decoded = Channel.CreateBounded<List<DecodedLine>>(new BoundedChannelOptions(DecodedAhead) { SingleReader = true, SingleWriter = true });
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken stopping = stop.Token;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    var batches = BoundedLineReader.ReadBatchesAsync(stream, maxLineBytes, static (number, bytes, tooLong) =>
                        new DecodedLine(number, bytes.Length + 1, tooLong ? null : JsonLineDecoder.Decode(bytes)), stopping);
                    await foreach (List<DecodedLine> batch in batches.ConfigureAwait(false))
                    {
                        await decoded.Writer.WriteAsync(batch, stopping).ConfigureAwait(false);
                    }

                    decoded.Writer.Complete();
                }
                catch (Exception ex)
                {
                    decoded.Writer.Complete(ex);
                }
            },
            stopping);
        return new DecodingInput(decoded.Reader, stop);
    }

    /// <summary>Hands on the decoded lines in input order: events to <paramref name="onEvent"/>, skips to the log and the counters.</summary>
    public async Task HandOnAsync(DecodingInput input, string displayName, Func<SecurityEvent, ValueTask> onEvent, CancellationToken cancellationToken)
    {
        using (input)
        {
            await foreach (List<DecodedLine> batch in input.Lines.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (DecodedLine line in batch)
                {
                    await HandOnAsync(line, displayName, onEvent).ConfigureAwait(false);
                }
            }

            await input.Lines.Completion.ConfigureAwait(false); // an error reading the input ends the read with it
        }
    }

    private async ValueTask HandOnAsync(DecodedLine line, string displayName, Func<SecurityEvent, ValueTask> onEvent)
    {
        counters.CountBytes(line.Length);
        if (line.Decoded is not { } decoded)
        {
            Skip(displayName, line.Number, $"line longer than {maxLineBytes} bytes");
            return;
        }

        if (decoded.Refused)
        {
            Skip(displayName, line.Number, decoded.Problems[0]);
            return;
        }

        foreach (string part in decoded.Problems)
        {
            counters.CountSkippedPart();
            onSkipped?.Invoke(displayName, line.Number, part);
            LogSkipped(logger, displayName, line.Number, part); // one item of the line; the others are kept
        }

        counters.CountEvents(decoded.Format!.Value, decoded.Events.Count);
        foreach (SecurityEvent securityEvent in decoded.Events)
        {
            await onEvent(securityEvent).ConfigureAwait(false);
        }
    }

    private void Skip(string displayName, long lineNumber, string reason)
    {
        counters.CountSkipped();
        onSkipped?.Invoke(displayName, lineNumber, reason);
        LogSkipped(logger, displayName, lineNumber, reason);
    }
}
