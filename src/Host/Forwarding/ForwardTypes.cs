using Sigs.Host.Configuration;

namespace Sigs.Host.Forwarding;

/// <summary>Every forward type in the host: each <see cref="IForwardType"/> class, found once, in name order.</summary>
internal static class ForwardTypes
{
    public static IReadOnlyList<IForwardType> All { get; } = ExtensionDiscovery.All<IForwardType>();

    public static IForwardType Of(ForwardOptions options) => ExtensionDiscovery.TypeOf(All, options);
}
