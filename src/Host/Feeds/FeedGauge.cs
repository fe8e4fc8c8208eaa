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

    /// <summary>1 while a sensor feed is down and its fallback runs.</summary>
    FallbackActive,

    /// <summary>Switches to the fallback and back so far (only grows).</summary>
    FallbackSwitches,
}

/// <summary>How each <see cref="FeedGauge"/> is exported: metric name, Prometheus type and help.</summary>
internal static class FeedGauges
{
    public static (string Name, string Type, string Help) Describe(FeedGauge gauge) => gauge switch
    {
        FeedGauge.NativeMarks => ("sigs_native_marks", "gauge", "fanotify marks the native probe holds."),
        FeedGauge.NativeMountNamespaces => ("sigs_native_mount_namespaces", "gauge", "Mount namespaces the native probe watches."),
        FeedGauge.NativeFoldersMissing => ("sigs_native_folders_missing", "gauge", "Watched folders that exist in no mount namespace yet."),
        FeedGauge.FallbackActive => ("sigs_feed_fallback_active", "gauge", "1 while a sensor feed is down and its fallback (the native probe) runs."),
        FeedGauge.FallbackSwitches => ("sigs_feed_fallback_switches_total", "counter", "Switches to a feed's fallback and back."),
        _ => throw new ArgumentOutOfRangeException(nameof(gauge)),
    };
}
