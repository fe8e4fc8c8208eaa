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

    /// <summary>Times a fanotify queue of the native probe overflowed, so far (each lost at least one watched open or rename).</summary>
    NativeQueueOverflows,

    /// <summary>1 while a sensor feed is down and its fallback runs.</summary>
    FallbackActive,

    /// <summary>Switches to the fallback and back so far (only grows).</summary>
    FallbackSwitches,

    /// <summary>NATS messages delivered again (after an ack timeout or a restart) so far.</summary>
    NatsRedelivered,

    /// <summary>NATS messages skipped because their message id was processed already.</summary>
    NatsDeduplicated,

    /// <summary>Events that arrived later than the lateness bound allows, so far.</summary>
    NatsLate,

    /// <summary>Messages the feed's consumers have not been delivered yet (JetStream's num_pending).</summary>
    NatsPending,

    /// <summary>Messages delivered and not yet acknowledged (in the reorder buffer or the engine queue).</summary>
    NatsUnacknowledged,

    /// <summary>Repeated file-permission events from Tetragon dropped within the collapse window, so far.</summary>
    TetragonCollapsed,

    /// <summary>Events Tetragon's own rate limiter dropped, as its rate_limit_info notices say, so far.</summary>
    TetragonSensorDropped,

    /// <summary>Cgroups Tetragon throttles now (their events are dropped by Tetragon).</summary>
    TetragonThrottledCgroups,

    /// <summary>Lookups in /proc that gave the missing process facts (terminal, argv), so far: one per process Tetragon names, one per event elsewhere.</summary>
    ProcFactsFilled,

    /// <summary>Lookups in /proc that could not give them (the process was gone or its pid reused), so far.</summary>
    ProcFactsUnknown,
}

/// <summary>How each <see cref="FeedGauge"/> is exported: metric name, Prometheus type and help.</summary>
internal static class FeedGauges
{
    /// <summary>True for a value that only grows: recorded on a counter instrument as it grows.</summary>
    public static bool IsCounter(FeedGauge gauge) => Describe(gauge).Type == "counter";

    /// <summary>The counter instrument of a growing <paramref name="gauge"/>.</summary>
    public static System.Diagnostics.Metrics.Counter<long> Counter(Common.SigsInstruments instruments, FeedGauge gauge)
    {
        (string name, _, string help) = Describe(gauge);
        return instruments.Named(name, help);
    }

    public static (string Name, string Type, string Help) Describe(FeedGauge gauge) => gauge switch
    {
        FeedGauge.NativeMarks => ("sigs_native_marks", "gauge", "fanotify marks the native probe holds."),
        FeedGauge.NativeMountNamespaces => ("sigs_native_mount_namespaces", "gauge", "Mount namespaces the native probe watches."),
        FeedGauge.NativeFoldersMissing => ("sigs_native_folders_missing", "gauge", "Watched folders that exist in no mount namespace yet."),
        FeedGauge.NativeQueueOverflows => ("sigs_native_queue_overflows_total", "counter", "Times a kernel fanotify queue of the native probe overflowed; each lost at least one watched open or rename."),
        FeedGauge.FallbackActive => ("sigs_feed_fallback_active", "gauge", "1 while a sensor feed is down and its fallback (the native probe) runs."),
        FeedGauge.FallbackSwitches => ("sigs_feed_fallback_switches_total", "counter", "Switches to a feed's fallback and back."),
        FeedGauge.NatsRedelivered => ("sigs_nats_redelivered_total", "counter", "NATS messages delivered to a feed again (after an ack timeout or a restart)."),
        FeedGauge.NatsDeduplicated => ("sigs_nats_deduplicated_total", "counter", "NATS messages skipped because the same message id was processed already."),
        FeedGauge.NatsLate => ("sigs_nats_late_total", "counter", "Events later than the feed's lateness bound (run at once, out of event-time order)."),
        FeedGauge.NatsPending => ("sigs_nats_consumer_pending", "gauge", "Messages in the stream not yet delivered to the feed's consumers."),
        FeedGauge.NatsUnacknowledged => ("sigs_nats_unacknowledged", "gauge", "Messages delivered to the feed and not yet acknowledged."),
        FeedGauge.TetragonCollapsed => ("sigs_tetragon_collapsed_total", "counter", "Repeated Tetragon file-permission events of a (process, file, mode) dropped within the collapse window."),
        FeedGauge.TetragonSensorDropped => ("sigs_tetragon_sensor_dropped_total", "counter", "Events Tetragon's own rate limiter dropped (from its rate_limit_info notices)."),
        FeedGauge.TetragonThrottledCgroups => ("sigs_tetragon_throttled_cgroups", "gauge", "Cgroups Tetragon throttles now; their events are dropped by Tetragon."),
        FeedGauge.ProcFactsFilled => ("sigs_proc_facts_filled_total", "counter", "Lookups in /proc that gave an event's missing process facts (terminal, argv); Tetragon's feed looks up each process once."),
        FeedGauge.ProcFactsUnknown => ("sigs_proc_facts_unknown_total", "counter", "Lookups in /proc that could not give the missing process facts (process gone, or its pid now another process's)."),
        _ => throw new ArgumentOutOfRangeException(nameof(gauge)),
    };
}
