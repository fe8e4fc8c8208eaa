using Sigs.Plugins;

namespace Sigs.Host.Forwarding;

/// <summary>Sends forwarded events on; one per configured forward. Thread-safe; never blocks the engine thread.</summary>
internal interface IEventPublisher : IAsyncDisposable
{
    string Name { get; }

    /// <summary>How many partitions the correlators share.</summary>
    int Partitions { get; }

    /// <summary>Takes one enriched event for a partition; what cannot be kept is dropped and counted.</summary>
    void Publish(SecurityEvent securityEvent, int partition);

    ForwardCounts Counts { get; }

    /// <summary>Starts connecting and sending.</summary>
    void Start();

    /// <summary>Records what the forward counts on the host's instruments from now on.</summary>
    void Attach(Common.SigsInstruments instruments)
    {
    }
}

/// <summary>What a forward did so far: published (acknowledged by JetStream), spooled now, dropped, queued now, connected.</summary>
internal sealed record ForwardCounts(long Published, long Duplicates, long Retries, long Dropped, long Spooled, int Queued, bool Connected, bool Delivering, string? SpoolProblem = null);
