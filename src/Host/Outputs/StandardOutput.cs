using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>Writes one finding per line to stdout, flushed after each line.</summary>
internal sealed class StandardOutput : IFindingOutput
{
    private readonly Stream _stdout = Console.OpenStandardOutput();

    public string Name => "stdout";

    /// <summary>The line being written; outputs are called one finding at a time (<see cref="FindingWriter"/>).</summary>
    private byte[] _line = new byte[4096];

    public void Write(Finding finding, ReadOnlyMemory<byte> json)
    {
        // One write per finding, newline included: a pipe's reader wakes once, not twice.
        if (_line.Length < json.Length + 1)
        {
            _line = new byte[Math.Max(json.Length + 1, _line.Length * 2)];
        }

        json.Span.CopyTo(_line);
        _line[json.Length] = (byte)'\n';
        _stdout.Write(_line, 0, json.Length + 1);
        _stdout.Flush();
    }

    public void Dispose()
    {
    }
}
