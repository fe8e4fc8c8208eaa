using Sigs.Host.Grpc;
using Sigs.Host.Enrichment;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>The keys of a <c>tracee</c> feed.</summary>
internal sealed record TraceeFeedOptions : SensorFeedOptions
{
    [Description("unix:/PATH, unix:///PATH or tcp:HOST:PORT (default unix:/var/run/tracee.sock).")]
    [MinLength(1)]
    public string Address { get; init; } = TraceeGrpcFeed.DefaultAddress;

    [Description("Policy names to stream; empty for all.")]
    public IReadOnlyList<string> Policies { get; init; } = [];
}

/// <summary><c>type: tracee</c>: Tracee's gRPC StreamEvents.</summary>
internal sealed class TraceeFeedType : FeedType<TraceeFeedOptions>
{
    public override string Name => "tracee";

    public override string Summary => "Tracee's gRPC server (StreamEvents).";

    public override string ShortForm => $"tracee[:{TraceeGrpcFeed.DefaultAddress}]";

    /// <summary>A sensor on a node: processes and files, never the API server's audit events.</summary>
    public override bool Gives(string eventName) => eventName != Plugins.EventNames.KubernetesAudit;

    protected override string? Problem(TraceeFeedOptions options) => options.FallbackProblem();

    protected override TraceeFeedOptions Parse(string? value) => value is null ? new() : new() { Address = value };

    protected override IEventFeed Create(TraceeFeedOptions options, ILogger logger, FeedContext context) =>
        new TraceeGrpcFeed(GrpcFeedChannel.Create(options.Address, null, options.MaxMessageBytes), options.Address, options.Policies, logger, context.Delays, context.Clock);
}
