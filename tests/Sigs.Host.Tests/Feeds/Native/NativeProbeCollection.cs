namespace Sigs.Host.Tests.Feeds.Native;

/// <summary>Tests that run the native probe for real (root, fanotify, netlink) run one class at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeProbeCollection
{
    public const string Name = "native probe";
}
