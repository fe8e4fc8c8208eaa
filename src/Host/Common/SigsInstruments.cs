using System.Diagnostics.Metrics;

namespace Sigs.Host.Common;

/// <summary>
/// The host's counter instruments on its <see cref="SigsMeter"/>, one per documented <c>*_total</c> metric.
/// Components record on them where they count (<see cref="RecordedCount.Attach"/>); gauges (queue lengths,
/// states) are observed when a reader collects (<c>Hosting/HostMetrics</c>).
/// </summary>
internal sealed class SigsInstruments(Meter meter)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Counter<long>> _byName = new(StringComparer.Ordinal);
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<RecordedCount, object?> _perEvent = [];

    public Counter<long> Events { get; } = meter.CreateCounter<long>("sigs_events_total", description: "Events received, by feed and event name.");

    public Counter<long> Reconnects { get; } = meter.CreateCounter<long>("sigs_feed_reconnects_total", description: "Times a feed got its connection back after losing it.");

    public Counter<long> Drops { get; } = meter.CreateCounter<long>("sigs_drops_total", description: "Inputs, events or findings dropped, by stage and component (the feed, signature, output or forward that dropped them; host for the host's own queues).");

    public Counter<long> ArgumentFormsUnknown { get; } = meter.CreateCounter<long>("sigs_argument_forms_unknown_total", description: "Sensor arguments in a form Sigs does not understand (that part of the event unknown), by source and argument.");

    public Counter<long> InvalidUtf8 { get; } = meter.CreateCounter<long>("sigs_input_invalid_utf8_total", description: "JSON inputs with bytes that are not UTF-8, decoded with U+FFFD in their place.");

    public Counter<long> OutputDelivered { get; } = meter.CreateCounter<long>("sigs_output_delivered_total", description: "Findings a delivering output (http) had acknowledged, by output.");

    public Counter<long> OutputRetries { get; } = meter.CreateCounter<long>("sigs_output_retries_total", description: "Delivery attempts that failed and were retried, by output.");

    public Counter<long> ForwardPublished { get; } = meter.CreateCounter<long>("sigs_forward_published_total", description: "Events a forward had acknowledged by JetStream, by forward.");

    public Counter<long> ForwardDuplicates { get; } = meter.CreateCounter<long>("sigs_forward_duplicates_total", description: "Events sent again that JetStream recognised by message id and kept once.");

    public Counter<long> ForwardRetries { get; } = meter.CreateCounter<long>("sigs_forward_retries_total", description: "Spooled batches whose sending failed and was retried.");

    public Counter<long> PluginRefusals { get; } = meter.CreateCounter<long>("sigs_plugin_refusals_total", description: "Plugins and signatures refused at load, and dependencies refused later, by kind.");

    public Counter<long> UnloadLeaks { get; } = meter.CreateCounter<long>("sigs_plugin_unload_leaks_total", description: "Unloaded plugins whose load context was not collected.");

    public Counter<long> EngineEvents { get; } = meter.CreateCounter<long>("sigs_engine_events_total", description: "Events run through the engine.");

    public Counter<long> Findings { get; } = meter.CreateCounter<long>("sigs_findings_total", description: "Findings, by signature and severity.");

    public Counter<long> SignatureEvents { get; } = meter.CreateCounter<long>("sigs_signature_events_total", description: "Events delivered to each signature.");

    public Counter<long> SignatureFaults { get; } = meter.CreateCounter<long>("sigs_signature_faults_total", description: "Exceptions thrown by each signature.");

    public Counter<long> SignatureEvictions { get; } = meter.CreateCounter<long>("sigs_signature_evictions_total", description: "Items each signature's state dropped because a bound was reached (KeyedWindow, correlations).");

    /// <summary>Sampled signature calls (a few a second per signature, as the watchdog asks), in seconds.</summary>
    public Histogram<double> SignatureDuration { get; } = meter.CreateHistogram(
        "sigs_signature_duration_seconds",
        unit: "s",
        description: "Time one signature took for one event, from sampled calls (a few a second per signature), by signature.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000_001, 0.000_005, 0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] });

    /// <summary>From the event's time to its finding reaching the outputs, in seconds.</summary>
    public Histogram<double> FindingLatency { get; } = meter.CreateHistogram(
        "sigs_finding_latency_seconds",
        unit: "s",
        description: "From the time of the event a finding is about to the finding being handed to the outputs (sensor, transport, queues and signature together).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    /// <summary>The <c>component</c> of a drop the host itself made (its engine, findings and process queues).</summary>
    public const string HostComponent = "host";

    /// <summary>The labels of a <see cref="Drops"/> count: every sample has both, so one label set per metric.</summary>
    public static KeyValuePair<string, object?>[] DropTags(string stage, string component = HostComponent) => [Tag("stage", stage), Tag("component", component)];

    /// <summary>A counter by name (for the feed-specific counts each feed type documents), made on first use.</summary>
    public Counter<long> Named(string name, string description) =>
        _byName.TryGetValue(name, out Counter<long>? counter)
            ? counter
            : _byName.GetOrAdd(name, (key, help) => meter.CreateCounter<long>(key, description: help), description);

    /// <summary>Keeps a per-event count to be flushed at each collection (weakly: a replaced signature's goes with it).</summary>
    public void FlushWhenCollected(RecordedCount count) => _perEvent.AddOrUpdate(count, null);

    /// <summary>Records what every per-event count has not recorded yet; called when a reader collects, before it reads.</summary>
    public void Flush()
    {
        foreach (KeyValuePair<RecordedCount, object?> entry in _perEvent)
        {
            entry.Key.Flush();
        }
    }

    public static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
