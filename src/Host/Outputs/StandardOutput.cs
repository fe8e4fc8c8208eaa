using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>Writes one finding per line to stdout, flushed after each line.</summary>
internal sealed class StandardOutput : IFindingOutput
{
    private readonly Stream _stdout = Console.OpenStandardOutput();

    public string Name => "stdout";

    public void Write(Finding finding, ReadOnlyMemory<byte> json)
    {
        _stdout.Write(json.Span);
        _stdout.WriteByte((byte)'\n');
        _stdout.Flush();
    }

    public void Dispose()
    {
    }
}
