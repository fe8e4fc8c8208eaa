using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>
/// Writes one finding per line to stdout (its JSON, or its text line), through a buffer flushed every <see cref="FlushEvery"/> and at the end:
/// a replay of thousands of findings makes a few dozen writes instead of one each (a pipe's reader then wakes a
/// few times a second, not once per finding), and a finding is never more than that late.
/// </summary>
internal sealed class StandardOutput : IFindingOutput
{
    public static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(100);

    private readonly Stream _stdout = Console.OpenStandardOutput();
    private readonly BufferedStream _buffer;
    private readonly ITimer _flush;
    private readonly Lock _gate = new();
    private bool _disposed;

    private readonly FindingFormat _format;
    private readonly bool _colour;

    public StandardOutput(TimeProvider clock, FindingFormat format = FindingFormat.Json, bool colour = false)
    {
        _format = format;
        _colour = colour && format == FindingFormat.Text;
        _buffer = new BufferedStream(_stdout, 64 * 1024);
        _flush = clock.CreateTimer(_ => Flush(), null, FlushEvery, FlushEvery);
    }

    public string Name => "stdout";

    public void Write(Finding finding, ReadOnlyMemory<byte> json)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _buffer.Write(FindingLines.Of(_format, finding, json, _colour).Span);
            _buffer.WriteByte((byte)'\n');
        }
    }

    public void Dispose()
    {
        _flush.Dispose();
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                _buffer.Flush();
            }
        }
    }

    private void Flush()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                try
                {
                    _buffer.Flush();
                }
                catch (IOException)
                {
                    // stdout closed (the reader of a pipe went away): the next write reports it to FindingWriter
                }
            }
        }
    }
}
