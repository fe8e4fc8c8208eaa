using Microsoft.Extensions.Logging;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Files;

/// <summary>Counts what a JSON-lines input produced: events per format and skipped lines.</summary>
internal sealed class InputCounters
{
    private readonly long[] _eventsByFormat = new long[Enum.GetValues<InputFormat>().Length];
    private long _skippedLines;

    public long SkippedLines => Interlocked.Read(ref _skippedLines);

    public long Events(InputFormat format) => Interlocked.Read(ref _eventsByFormat[(int)format]);

    public long TotalEvents => Enum.GetValues<InputFormat>().Sum(Events);

    public void CountEvents(InputFormat format, int count) => Interlocked.Add(ref _eventsByFormat[(int)format], count);

    public void CountSkipped() => Interlocked.Increment(ref _skippedLines);
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
        var events = new List<SecurityEvent>();
        await foreach (InputLine line in BoundedLineReader.ReadAsync(stream, maxLineBytes, cancellationToken).ConfigureAwait(false))
        {
            if (line.TooLong)
            {
                Skip(displayName, line.Number, $"line longer than {maxLineBytes} bytes");
                continue;
            }

            events.Clear();
            InputFormat format;
            try
            {
                format = JsonLineDecoder.Decode(line.Bytes, events);
            }
            catch (EventDecodeException ex)
            {
                Skip(displayName, line.Number, ex.Message);
                continue;
            }

            counters.CountEvents(format, events.Count);
            foreach (SecurityEvent securityEvent in events)
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
