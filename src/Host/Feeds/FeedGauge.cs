namespace Sigs.Host.Feeds;

/// <summary>A feed's current-state values exported on /metrics; each feed sets only those that apply to it.</summary>
internal enum FeedGauge
{
    /// <summary>fanotify marks the native probe holds.</summary>
    NativeMarks,

    /// <summary>Mount namespaces the native probe watches.</summary>
    NativeMountNamespaces,

    /// <summary>Watched folders that exist in no mount namespace yet.</summary>
    NativeFoldersMissing,
}
