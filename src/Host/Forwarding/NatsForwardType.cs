using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Sigs.Host.Nats;

namespace Sigs.Host.Forwarding;

/// <summary>The keys of a <c>nats</c> forward.</summary>
internal sealed record NatsForwardOptions : Configuration.ForwardOptions, INatsEndpoint
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

    [Description("This node's name in the subjects it publishes on: sigs.events.<partition>.node.<sender>, and .audit.<sender> for audit events; NATS should let its user publish only there. Default: the SIGS_NODE_NAME environment variable (in Kubernetes, the pod's spec.nodeName), else the host name.")]
    [RegularExpression(EventSubjects.SenderPattern)]
    public string? Sender { get; init; }

    /// <summary>The sender's name: <see cref="Sender"/>, else <c>SIGS_NODE_NAME</c>, else the host name.</summary>
    public string SenderName => Sender ?? DefaultSender;

    private static string DefaultSender => Environment.GetEnvironmentVariable("SIGS_NODE_NAME") is { Length: > 0 } node ? node : Environment.MachineName;

    [Description("Forward exactly the events these signatures select (after enrichment), partitioned by each signature's correlation key.")]
    [MinLength(1)]
    public required IReadOnlyList<string> Signatures { get; init; }

    [Description("How many partitions the correlators share; subjects sigs.events.0.> to sigs.events.N-1.> (default 1).")]
    [Range(1, 1024)]
    public int Partitions { get; init; } = 1;

    [Description("The JetStream stream; created when missing over sigs.events.> (default SIGS_EVENTS).")]
    [RegularExpression("^[A-Za-z0-9_-]+$")]
    public string Stream { get; init; } = EventSubjects.DefaultStream;

    [Description("A stream created by Sigs keeps events this long (default 86400).")]
    [Range(60, 31_536_000)]
    public int MaxAgeSeconds { get; init; } = 86_400;

    [Description("Also run the forwarded signatures here (default false: they run on the correlators only).")]
    public bool RunLocally { get; init; }

    [Description("Keep events on disk while NATS cannot take them, across restarts; default: in memory.")]
    [MinLength(1)]
    public string? SpoolDir { get; init; }

    [Description("Events waiting to be sent; more are dropped and counted (default 100000).")]
    [Range(1, int.MaxValue)]
    public int QueueCapacity { get; init; } = 100_000;

    [Description("Batches of up to 512 events kept while NATS is unreachable; more are dropped and counted (default 10000).")]
    [Range(1, int.MaxValue)]
    public int SpoolCapacity { get; init; } = 10_000;
}

/// <summary><c>type: nats</c>: events to correlators over NATS JetStream, acknowledged, deduplicated by message id, spooled while NATS is down.</summary>
internal sealed class NatsForwardType : ForwardType<NatsForwardOptions>
{
    public override string Name => "nats";

    public override string Summary => "Publishes the events of the named signatures to NATS JetStream (sigs.events.<partition>.<role>.<sender>), acknowledged, deduplicated and spooled while NATS is down.";

    protected override string? Problem(NatsForwardOptions options) =>
        NatsEndpointRules.Problem(options)
        ?? (options.Signatures.Any(string.IsNullOrWhiteSpace) ? "signatures: ids must not be empty" : null)
        ?? (System.Text.RegularExpressions.Regex.IsMatch(options.SenderName, EventSubjects.SenderPattern) ? null
            : $"sender: '{options.SenderName}' (from SIGS_NODE_NAME or the host name) is not a NATS subject token; set sender");

    protected override IReadOnlyList<string> Signatures(NatsForwardOptions options) => options.Signatures;

    protected override bool RunLocally(NatsForwardOptions options) => options.RunLocally;

    protected override IEventPublisher Create(NatsForwardOptions options, ILoggerFactory loggerFactory, TimeProvider clock) =>
        new NatsEventPublisher(options, loggerFactory, clock);
}
