using Sigs.Host.Common;
using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>A destination for findings. Called on the findings writer's one thread, one finding at a time, in order.</summary>
internal interface IFindingOutput : IDisposable
{
    /// <summary>A name for logs, for example <c>stdout</c> or <c>file:/var/log/sigs.jsonl</c>.</summary>
    string Name { get; }

    /// <summary>Takes one finding; <paramref name="json"/> is its Sigs JSON form (finding.schema.json).</summary>
    void Write(Finding finding, ReadOnlyMemory<byte> json);

    /// <summary>What a delivering output did so far, for /metrics; null for outputs that only write.</summary>
    DeliveryCounts? Deliveries => null;

    /// <summary>Records what the output counts on the host's instruments from now on (delivering outputs count).</summary>
    void Attach(SigsInstruments instruments)
    {
    }
}

/// <summary>
/// A delivering output's counts: acknowledged, retried, dropped for good, waiting now, on disk now, waiting in
/// memory only because the spool could not write them; and why it cannot deliver or spool now (for /healthz), or null.
/// </summary>
internal sealed record DeliveryCounts(long Delivered, long Retries, long Dropped, int Queued, long Spooled, long Unspooled = 0, string? Problem = null);
