using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.KubernetesAudit;

/// <summary>The keys of a <c>k8s-audit</c> feed.</summary>
internal sealed record AuditWebhookFeedOptions : ReceiverFeedOptions
{
    [Description("URL to listen on (default http://127.0.0.1:9765/k8s-audit). Largest body by default 16 MiB.")]
    [RegularExpression("^https?://")]
    public string Listen { get; init; } = AuditWebhookFeed.DefaultListen;
}

/// <summary><c>type: k8s-audit</c>: the Kubernetes API server's audit webhook.</summary>
internal sealed class AuditWebhookFeedType : FeedType<AuditWebhookFeedOptions>
{
    public override string Name => "k8s-audit";

    public override string Summary => "Receives the Kubernetes API server's audit webhook (audit.k8s.io/v1 EventList).";

    public override string ShortForm => $"k8s-audit[:{AuditWebhookFeed.DefaultListen}]";

    public override bool Gives(string eventName) => eventName == Plugins.EventNames.KubernetesAudit;

    protected override string? Problem(AuditWebhookFeedOptions options) => options.ExposureProblem(options.Listen);

    protected override AuditWebhookFeedOptions Parse(string? value) => value is null ? new() : new() { Listen = value };

    protected override IEventFeed Create(AuditWebhookFeedOptions options, ILogger logger, FeedContext context) =>
        new AuditWebhookFeed(options.Listen, options.Limits(AuditWebhookFeed.DefaultMaxBodyBytes), options.Access(Name), logger);
}
