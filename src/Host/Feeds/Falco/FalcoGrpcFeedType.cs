using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;

using Sigs.Host.Grpc;

namespace Sigs.Host.Feeds.Falco;

/// <summary>The keys of a <c>falco-grpc</c> feed.</summary>
internal sealed record FalcoGrpcFeedOptions : SensorFeedOptions
{
    [Description("unix:/PATH, unix:///PATH or tcp:HOST:PORT (default unix:///run/falco/falco.sock).")]
    [MinLength(1)]
    public string Address { get; init; } = FalcoGrpcFeed.DefaultAddress;

    [Description("Over TCP: mutual TLS (PEM files), which Falco requires there.")]
    public TlsFiles? Tls { get; init; }

    [Description("Fill what an alert lacks (the terminal without proc.tty, argv) from /proc/PID of this node; needs Sigs in the host's pid namespace (default true for a unix socket or loopback address, false otherwise).")]
    public bool? FillFromProc { get; init; }
}

/// <summary><c>type: falco-grpc</c>: Falco's gRPC output service (Falco up to 0.43).</summary>
internal sealed class FalcoGrpcFeedType : FeedType<FalcoGrpcFeedOptions>
{
    public override string Name => "falco-grpc";

    public override string Summary => "Falco's gRPC output service (outputs.sub; Falco up to 0.43).";

    public override string ShortForm => $"falco-grpc[:{FalcoGrpcFeed.DefaultAddress}]";

    protected override string? Problem(FalcoGrpcFeedOptions options) =>
        options.FallbackProblem()
        ?? (options.Tls is not null && options.Address.StartsWith("unix:", StringComparison.Ordinal) ? "tls: only for a TCP address" : null);

    protected override FalcoGrpcFeedOptions Parse(string? value) => value is null ? new() : new() { Address = value };

    protected override IEventFeed Create(FalcoGrpcFeedOptions options, ILogger logger, FeedContext context) =>
        ProcFillingFeed.Maybe(
            new FalcoGrpcFeed(GrpcFeedChannel.Create(options.Address, options.Tls, options.MaxMessageBytes), options.Address, logger, context.Delays, context.Clock),
            options.FillFromProc ?? Grpc.GrpcAddress.IsLocal(options.Address),
            logger);
}
