using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Plugins;

namespace Sigs.Host.Forwarding;

/// <summary>
/// Sends the events that forwarded signatures select to their forwards, after enrichment: each selecting signature
/// names the event's correlation keys (<see cref="Signature.CorrelationKeys"/>), each key's stable hash picks a
/// partition, and the event goes once to each partition its keys pick. An event no forwarded signature selects,
/// or that has no key, is not sent. Forwarded signatures do not also run here unless the forward says so.
/// </summary>
internal sealed partial class EventForwarder : IAsyncDisposable
{
    private readonly Forward[] _forwards;
    private readonly ILogger _logger;
    private volatile ForwardRoute[] _routes = [];
    private long _keyFaults;

    public EventForwarder(IReadOnlyList<ForwardOptions> configured, ILoggerFactory loggerFactory, TimeProvider clock)
    {
        _logger = loggerFactory.CreateLogger(LogCategories.Forwarding);
        _forwards = [.. configured.Select(options =>
        {
            IForwardType type = ForwardTypes.Of(options);
            return new Forward(type.Create(options, loggerFactory, clock), type.Signatures(options).ToFrozenSet(StringComparer.Ordinal), type.RunLocally(options));
        })];
    }

    public IReadOnlyList<IEventPublisher> Publishers => [.. _forwards.Select(f => f.Publisher)];

    /// <summary>Calls to a signature's <c>CorrelationKeys</c> that threw (the event was not sent for that signature).</summary>
    public long KeyFaults => Interlocked.Read(ref _keyFaults);

    public void Start()
    {
        foreach (Forward forward in _forwards)
        {
            forward.Publisher.Start();
        }
    }

    /// <summary>
    /// Takes a new generation of signatures: the forwarded ones are routed to their forwards, and the index
    /// returned delivers events here only to the signatures that still run locally.
    /// </summary>
    public SignatureIndex Route(SignatureIndex generation)
    {
        var routes = new ForwardRoute[_forwards.Length];
        for (int i = 0; i < _forwards.Length; i++)
        {
            Forward forward = _forwards[i];
            SignatureRunner[] runners = [.. generation.Runners.Where(r => forward.Signatures.Contains(r.Metadata.Id))];
            foreach (string missing in forward.Signatures.Except(runners.Select(r => r.Metadata.Id)).Order(StringComparer.Ordinal))
            {
                LogNotLoaded(_logger, forward.Publisher.Name, missing);
            }

            routes[i] = new ForwardRoute(forward.Publisher, new SignatureIndex(runners));
        }

        _routes = routes;
        return generation.Dispatching(r => !_forwards.Any(f => !f.RunLocally && f.Signatures.Contains(r.Metadata.Id)));
    }

    /// <summary>Offers one enriched event to every forward. Called on the engine thread.</summary>
    public void Offer(SecurityEvent securityEvent)
    {
        foreach (ForwardRoute route in _routes)
        {
            SignatureIndex.Candidate[] candidates = route.Index.Select(securityEvent.Name, securityEvent.Origin);
            ulong sentTo = 0; // partitions below 64 as bits; more are rare and checked against the list
            List<int>? high = null;
            foreach (SignatureIndex.Candidate candidate in candidates)
            {
                if (!candidate.Accepts(securityEvent.Source))
                {
                    continue;
                }

                foreach (string key in Keys(candidate.Runner, securityEvent))
                {
                    int partition = Nats.EventSubjects.PartitionOf(key, route.Publisher.Partitions);
                    bool first = partition < 64 ? (sentTo & (1UL << partition)) == 0 : !(high ??= []).Contains(partition);
                    if (!first)
                    {
                        continue;
                    }

                    if (partition < 64)
                    {
                        sentTo |= 1UL << partition;
                    }
                    else
                    {
                        high!.Add(partition);
                    }

                    route.Publisher.Publish(securityEvent, partition);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Forward forward in _forwards)
        {
            await forward.Publisher.DisposeAsync().ConfigureAwait(false);
        }
    }

    private IReadOnlyList<string> Keys(SignatureRunner runner, SecurityEvent securityEvent)
    {
        try
        {
            return runner.Signature.CorrelationKeys(securityEvent) ?? [];
        }
        catch (Exception ex)
        {
            long faults = Interlocked.Increment(ref _keyFaults);
            if (faults == 1 || faults % 1000 == 0)
            {
                LogKeyFault(_logger, runner.Metadata.Id, $"{ex.GetType().Name}: {ex.Message}", faults);
            }

            return [];
        }
    }

    private sealed record Forward(IEventPublisher Publisher, FrozenSet<string> Signatures, bool RunLocally);

    private sealed record ForwardRoute(IEventPublisher Publisher, SignatureIndex Index);
}
