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

    public static async IAsyncEnumerable<InputLine> ReadAsync(
        Stream stream,
        int maxLineBytes,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        long number = 0;
        bool discarding = false;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                var lines = new List<InputLine>();
                while (buffer.PositionOf((byte)'\n') is SequencePosition newline)
                {
                    ReadOnlySequence<byte> line = buffer.Slice(0, newline);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                    number++;
                    if (discarding || line.Length > maxLineBytes)
                    {
                        discarding = false;
                        lines.Add(new InputLine(number, ReadOnlyMemory<byte>.Empty, TooLong: true));
                    }
                    else if (Trim(line) is { Length: > 0 } content)
                    {
                        lines.Add(new InputLine(number, content, TooLong: false));
                    }
                }

                if (buffer.Length > maxLineBytes)
                {
                    // Drop the partial line now; its tail up to the newline is dropped as it arrives.
                    discarding = true;
                    buffer = buffer.Slice(buffer.End);
                }

                if (result.IsCompleted && buffer.Length > 0)
                {
                    number++;
                    lines.Add(discarding
                        ? new InputLine(number, ReadOnlyMemory<byte>.Empty, TooLong: true)
                        : new InputLine(number, Trim(buffer), TooLong: false));
                    buffer = buffer.Slice(buffer.End);
                }
                else if (result.IsCompleted && discarding)
                {
                    number++;
                    lines.Add(new InputLine(number, ReadOnlyMemory<byte>.Empty, TooLong: true));
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                foreach (InputLine line in lines)
                {
                    if (line.TooLong || line.Bytes.Length > 0)
                    {
                        yield return line;
                    }
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

    /// <summary>Copies the line without surrounding whitespace (and a Windows line ending's CR).</summary>
    private static byte[] Trim(ReadOnlySequence<byte> line)
    {
        byte[] bytes = line.ToArray();
        ReadOnlySpan<byte> trimmed = bytes.AsSpan().Trim(" \t\r"u8);
        return trimmed.Length == bytes.Length ? bytes : trimmed.ToArray();
    }
}
