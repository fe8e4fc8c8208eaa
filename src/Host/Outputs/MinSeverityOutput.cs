using Sigs.Host.Common;
using Sigs.Host.Engine;
using Sigs.Plugins;

namespace Sigs.Host.Outputs;

/// <summary>An output that takes only findings of at least a severity (<c>minSeverity</c>, <c>--min-severity</c>); the rest never reach it.</summary>
internal sealed class MinSeverityOutput(IFindingOutput inner, Severity minimum) : IFindingOutput
{
    public string Name => inner.Name;

    public Severity Minimum => minimum;

    public DeliveryCounts? Deliveries => inner.Deliveries;

    public void Attach(SigsInstruments instruments) => inner.Attach(instruments);

    public void Write(Finding finding, ReadOnlyMemory<byte> json)
    {
        if (finding.Signature.Severity >= minimum)
        {
            inner.Write(finding, json);
        }
    }

    public void Dispose() => inner.Dispose();
}
