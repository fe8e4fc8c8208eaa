using Microsoft.Extensions.Logging;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Files;

/// <summary>Counts what a JSON-lines input produced: events per format, skipped lines, and skipped items of kept lines.</summary>
internal sealed class InputCounters
{
    private readonly long[] _eventsByFormat = new long[Enum.GetValues<InputFormat>().Length];
    private long _skippedLines;
    private long _skippedParts;

    public long SkippedLines => Interlocked.Read(ref _skippedLines);

    /// <summary>Items skipped from lines whose other items were kept (an audit EventList's bad item).</summary>
    public long SkippedParts => Interlocked.Read(ref _skippedParts);

    public long Events(InputFormat format) => Interlocked.Read(ref _eventsByFormat[(int)format]);

    public long TotalEvents => Enum.GetValues<InputFormat>().Sum(Events);

    public void CountEvents(InputFormat format, int count) => Interlocked.Add(ref _eventsByFormat[(int)format], count);

    public void CountSkipped() => Interlocked.Increment(ref _skippedLines);

    public void CountSkippedPart() => Interlocked.Increment(ref _skippedParts);
}

/// <summary>
/// Reads JSON lines in any supported format, in order, and hands each decoded event on. A bad line is logged
/// with its file and line number, counted and skipped; reading goes on.
/// </summary>
internal sealed partial class JsonLinesSource(
    ILogger logger,
    InputCounters counters,
    int maxLineBytes = BoundedLineReader.DefaultMaxLineBytes,
    Action? onSkipped = null)
{
    public async Task ReadAsync(Stream stream, string displayName, Func<SecurityEvent, ValueTask> onEvent, CancellationToken cancellationToken)
    {
        await foreach (InputLine line in BoundedLineReader.ReadAsync(stream, maxLineBytes, cancellationToken).ConfigureAwait(false))
        {
            if (line.TooLong)
            {
                Skip(displayName, line.Number, $"line longer than {maxLineBytes} bytes");
                continue;
            }

            DecodedInput decoded = JsonLineDecoder.Decode(line.Bytes);
            if (decoded.Refused)
            {
                Skip(displayName, line.Number, decoded.Problems[0]);
                continue;
            }

            foreach (string part in decoded.Problems)
            {
                counters.CountSkippedPart();
                onSkipped?.Invoke();
                LogSkipped(logger, displayName, line.Number, part); // one item of the line; the others are kept
            }

            counters.CountEvents(decoded.Format!.Value, decoded.Events.Count);
            foreach (SecurityEvent securityEvent in decoded.Events)
            {
                await onEvent(securityEvent).ConfigureAwait(false);
            }
        }
    }

    private void Skip(string displayName, long lineNumber, string reason)
    {
        counters.CountSkipped();
        onSkipped?.Invoke();
        LogSkipped(logger, displayName, lineNumber, reason);
    }
}
