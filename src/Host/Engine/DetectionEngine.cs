using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>
/// Dispatches events to the signatures that select them. The current generation's index is an immutable
/// snapshot swapped with one volatile write, so a dispatch always sees one whole generation.
/// </summary>
internal sealed class DetectionEngine
{
    private volatile SignatureIndex _index = SignatureIndex.Empty;

    public SignatureIndex Index => _index;

    public void Publish(SignatureIndex index) => _index = index;

    /// <summary>Delivers the event to every selected signature; returns how many received it.</summary>
    public int Dispatch(SecurityEvent securityEvent)
    {
        ReadOnlySpan<SignatureIndex.Candidate> candidates = _index.Select(securityEvent.Name, securityEvent.Origin);
        int delivered = 0;
        foreach (ref readonly SignatureIndex.Candidate candidate in candidates)
        {
            if (candidate.Accepts(securityEvent.Source))
            {
                candidate.Runner.Deliver(securityEvent);
                delivered++;
            }
        }

        return delivered;
    }

    public void Signal(Signal signal)
    {
        foreach (SignatureRunner runner in _index.Runners)
        {
            runner.Signal(signal);
        }
    }
}
