using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Nats;

namespace Sigs.Host.Outputs;

/// <summary>The keys of a <c>nats</c> output.</summary>
internal sealed record NatsOutputOptions : DeliveringOutputOptions, INatsEndpoint
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

    [Description("falco: Falcosidekick's NATS shape (subject falco.<priority>.<rule>, the Falco alert); sigs (default): sigs.findings.<severity>.<signature id>, the finding JSON.")]
    [AllowedValues("sigs", "falco")]
    public string Format { get; init; } = "sigs";

    [Description("The JetStream stream that keeps the findings; created when missing over the format's subjects (default SIGS_FINDINGS).")]
    [RegularExpression("^[A-Za-z0-9_-]+$")]
    public string Stream { get; init; } = NatsTarget.DefaultStream;
}

/// <summary><c>type: nats</c>: publishes each finding to NATS JetStream, acknowledged, retried and spooled like <c>http</c>.</summary>
internal sealed class NatsOutputType : OutputType<NatsOutputOptions>
{
    public override string Name => "nats";

    public override string Summary => "Publishes each finding to NATS JetStream (Falcosidekick's falco.<priority>.<rule> shape, or sigs.findings.<severity>.<id>), acknowledged, retried and spooled.";

    protected override string? Problem(NatsOutputOptions options) => NatsEndpointRules.Problem(options);

    protected override IFindingOutput Create(NatsOutputOptions options, ILoggerFactory loggerFactory, TimeProvider clock) => new DeliveringOutput(
        new NatsTarget(options, loggerFactory),
        options.SpoolDir,
        options.QueueCapacity,
        loggerFactory.CreateLogger(LogCategories.Outputs),
        clock: clock);
}
