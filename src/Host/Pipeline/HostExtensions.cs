using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Outputs;

namespace Sigs.Host.Pipeline;

/// <summary>The extension types this host offers; its configuration is read, and its schema generated, against them.</summary>
internal static class HostExtensions
{
    public static ExtensionTypes Types { get; } = new([.. FeedTypes.All], [.. OutputTypes.All]);
}
