using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Sigs.Host.Feeds.Files;

/// <summary>One line of input: its 1-based number and bytes, or <see cref="TooLong"/> when it exceeded the limit.</summary>
internal readonly record struct InputLine(long Number, ReadOnlyMemory<byte> Bytes, bool TooLong);

/// <summary>
/// Splits a stream into lines without ever buffering more than the line limit: an over-long line is reported
/// as <see cref="InputLine.TooLong"/> and skipped to its end. Blank lines are passed over.
/// </summary>
internal static class BoundedLineReader
{
    public const int DefaultMaxLineBytes = 1024 * 1024;

    /// <summary>How much one read of the stream asks for; a read's lines are one batch.</summary>
    public const int ReadBytes = 256 * 1024;

    public static async IAsyncEnumerable<InputLine> ReadAsync(
        Stream stream,
        int maxLineBytes,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var lines = ReadBatchesAsync(stream, maxLineBytes, static (number, bytes, tooLong) => new InputLine(number, tooLong ? ReadOnlyMemory<byte>.Empty : bytes.ToArray(), tooLong), cancellationToken);
        await foreach (List<InputLine> batch in lines.ConfigureAwait(false))
        {
            foreach (InputLine line in batch)
            {
                yield return line;
            }
        }
    }

    /// <summary>
    /// The lines as they arrive, those of one read of the stream at a time (so none waits for later input), each
    /// mapped by <paramref name="map"/> while its bytes are still in the reader's buffer: its number, its bytes
    /// without surrounding whitespace (empty when too long), and whether it was too long.
    /// </summary>
    public static async IAsyncEnumerable<List<T>> ReadBatchesAsync<T>(
        Stream stream,
        int maxLineBytes,
        Func<long, ReadOnlySpan<byte>, bool, T> map,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBytes, minimumReadSize: ReadBytes / 2, leaveOpen: true));
        long number = 0;
        bool discarding = false;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                var lines = new List<T>();
                while (buffer.PositionOf((byte)'\n') is SequencePosition newline)
                {
                    ReadOnlySequence<byte> line = buffer.Slice(0, newline);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                    number++;
                    if (discarding || line.Length > maxLineBytes)
                    {
                        discarding = false;
                        lines.Add(map(number, [], true));
                    }
                    else if (Trim(line) is { Length: > 0 } content)
                    {
                        lines.Add(map(number, content, false));
                    }
                }

                if (buffer.Length > maxLineBytes)
                {
                    // Drop the partial line now; its tail up to the newline is dropped as it arrives.
                    discarding = true;
                    buffer = buffer.Slice(buffer.End);
                }

                if (result.IsCompleted && (discarding || buffer.Length > 0))
                {
                    number++;
                    if (discarding)
                    {
                        lines.Add(map(number, [], true));
                    }
                    else if (Trim(buffer) is { Length: > 0 } content)
                    {
                        lines.Add(map(number, content, false));
                    }

                    buffer = buffer.Slice(buffer.End);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (lines.Count > 0)
                {
                    yield return lines;
                }

                if (result.IsCompleted)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The line without surrounding whitespace (and a Windows line ending's CR); copied only when it spans buffer segments.</summary>
    private static ReadOnlySpan<byte> Trim(ReadOnlySequence<byte> line) =>
        (line.IsSingleSegment ? line.FirstSpan : line.ToArray()).Trim(" \t\r"u8);
}
