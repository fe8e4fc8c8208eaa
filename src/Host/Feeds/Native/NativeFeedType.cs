using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;

namespace Sigs.Host.Feeds.Native;

/// <summary>The <c>native</c> feed takes no keys.</summary>
internal sealed record NativeFeedOptions : FeedOptions;

/// <summary><c>type: native</c>: Sigs' own probe (fanotify, the netlink process connector and /proc).</summary>
internal sealed class NativeFeedType : FeedType<NativeFeedOptions>
{
    public const string TypeName = "native";

    public override string Name => TypeName;

    public override string Summary => "Sigs' own probe: fanotify file events, the netlink process connector and /proc (needs root or CAP_SYS_ADMIN and CAP_NET_ADMIN).";

    public override string ShortForm => "native";

    /// <summary>A sensor on a node: processes and files, never the API server's audit events.</summary>
    public override bool Gives(string eventName) => eventName != Plugins.EventNames.KubernetesAudit;

    protected override NativeFeedOptions Parse(string? value) => new();

    protected override IEventFeed Create(NativeFeedOptions options, ILogger logger, FeedContext context)
    {
        NativeFeed.CheckCanRun();
        return new NativeFeed(logger, context.WatchPlan, clock: context.Clock);
    }
}
