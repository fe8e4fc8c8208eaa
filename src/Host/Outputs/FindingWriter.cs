using Microsoft.Extensions.Logging;
using Sigs.Host.Engine;
using Sigs.Host.Common;

namespace Sigs.Host.Outputs;

/// <summary>
/// Serializes each finding once and hands it to every configured output, in the order findings arrive.
/// A failing output is logged and counted; the others still receive the finding.
/// </summary>
internal sealed partial class FindingWriter(IReadOnlyList<IFindingOutput> outputs, ILogger logger) : IFindingSink, IDisposable
{
    private readonly Lock _gate = new();
    private long _published;
    private readonly RecordedCount _outputFailures = new();

    public long Published => Interlocked.Read(ref _published);

    /// <summary>Records its counts, and its outputs', on the host's instruments from now on.</summary>
    public void Attach(SigsInstruments instruments)
    {
        _outputFailures.Attach(instruments, instruments.Drops, SigsInstruments.Tag("stage", "output"));
        foreach (IFindingOutput output in Outputs)
        {
            output.Attach(instruments);
        }
    }

    public long OutputFailures => _outputFailures.Value;

    /// <summary>The outputs findings go to, in order.</summary>
    public IReadOnlyList<IFindingOutput> Outputs => outputs;

    public void Publish(Finding finding)
    {
        byte[] json = FindingJson.Serialize(finding);
        lock (_gate)
        {
            _published++;
            foreach (IFindingOutput output in outputs)
            {
                try
                {
                    output.Write(finding, json);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or UnauthorizedAccessException or InvalidOperationException)
                {
                    _outputFailures.Add();
                    LogOutputFailed(logger, output.Name, finding.Signature.Id, ex.Message);
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (IFindingOutput output in outputs)
            {
                output.Dispose();
            }
        }
    }
}
