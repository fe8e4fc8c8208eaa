using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Nats;

namespace Sigs.Host.Feeds.Nats;

/// <summary>The keys of a <c>nats</c> feed (a correlator's input).</summary>
internal sealed record NatsFeedOptions : Configuration.FeedOptions, INatsEndpoint
{
    [Description(INatsEndpoint.UrlText)]
    [MinLength(1)]
    public required string Url { get; init; }

    [Description(INatsEndpoint.CredentialsText)]
    public NatsCredentialOptions? Credentials { get; init; }

    [Description(INatsEndpoint.TlsText)]
    public NatsTlsOptions? Tls { get; init; }

    [Description(INatsEndpoint.InsecureText)]
    public bool Insecure { get; init; }

    [Description("This instance's durable consumer name; its consumers are <durable>-<partition> and resume where they stopped.")]
    [RegularExpression("^[A-Za-z0-9_-]+$")]
    public required string Durable { get; init; }

    [Description("The partitions this instance owns (each below partitionCount).")]
    [MinLength(1)]
    public required IReadOnlyList<int> Partitions { get; init; }

    [Description("How many partitions the forwards use (their 'partitions'; default 1).")]
    [Range(1, 1024)]
    public int PartitionCount { get; init; } = 1;

    [Description("The JetStream stream the forwards publish to (default SIGS_EVENTS); created when missing.")]
    [RegularExpression("^[A-Za-z0-9_-]+$")]
    public string Stream { get; init; } = EventSubjects.DefaultStream;

    [Description("Events from different paths are put back in event-time order within this bound; later ones are counted and run at once (default 10).")]
    [Range(0, 600)]
    public double LatenessSeconds { get; init; } = 10;

    [Description("Messages delivered and not yet acknowledged, per partition (JetStream stops delivering past it), and events waiting in the reorder buffer, per partition (past it the oldest leave early) (default 20000).")]
    [Range(1, 1_000_000)]
    public int MaxAckPending { get; init; } = 20_000;

    [Description("After a restart, the events up to this long before what was acknowledged are run again only to rebuild the signatures' state: at least the longest window of the signatures here (default 70).")]
    [Range(0, 86_400)]
    public int ReplaySeconds { get; init; } = 70;

    [Description("How long JetStream waits for an acknowledgement before it delivers a message again (default 60).")]
    [Range(5, 3600)]
    public int AckWaitSeconds { get; init; } = 60;
}

/// <summary><c>type: nats</c>: forwarded events from NATS JetStream, a durable pull consumer per owned partition, acknowledged once processed.</summary>
internal sealed class NatsFeedType : FeedType<NatsFeedOptions>
{
    public override string Name => "nats";

    public override string Summary => "Forwarded events from NATS JetStream (a correlator's input): durable pull consumers over the partitions it owns.";

    public override string ShortForm => "nats:URL (needs durable and partitions: use a config file)";

    protected override string? Problem(NatsFeedOptions options)
    {
        if (NatsEndpointRules.Problem(options) is { } endpoint)
        {
            return endpoint;
        }

        for (int i = 0; i < options.Partitions.Count; i++)
        {
            int partition = options.Partitions[i];
            if (partition < 0 || partition >= options.PartitionCount)
            {
                return $"partitions[{i}]: {partition} is not a partition: partitionCount is {options.PartitionCount}, so partitions are 0 to {options.PartitionCount - 1}";
            }

            if (options.Partitions.Take(i).Contains(partition))
            {
                return $"partitions[{i}]: {partition} is listed twice";
            }
        }

        return null;
    }

    protected override NatsFeedOptions Parse(string? value) =>
        throw new UsageException("--feed nats needs a durable name and partitions; configure it under feeds: in a config file");

    protected override IEventFeed Create(NatsFeedOptions options, ILogger logger, FeedContext context) =>
        new NatsFeed(options, logger, context.LoggerFactory, context.Delays, context.Clock);
}
