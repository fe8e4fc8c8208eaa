using Sigs.Host.Configuration;

namespace Sigs.Host.Feeds;

/// <summary>Every feed type in the host: each <see cref="IFeedType"/> class, found once, in name order.</summary>
internal static class FeedTypes
{
    public static IReadOnlyList<IFeedType> All { get; } = ExtensionDiscovery.All<IFeedType>();

    public static IFeedType Of(FeedOptions options) => ExtensionDiscovery.TypeOf(All, options);
}
