using System.Diagnostics.Metrics;
using System.Reflection;
using Sigs.Host.Common;
using Sigs.Host.Engine;
using Sigs.Host.Feeds;
using Sigs.Host.Outputs;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Hosting;

/// <summary>
/// The instruments of a running host, on its <see cref="Common.SigsMeter"/>. Every count (the <c>*_total</c>
/// metrics) is recorded where its component counts it, on <see cref="SigsInstruments"/>' counters: each component
/// is attached here, before anything runs, and records what it counted before (plugins refused at load).
/// Current values (connected, queue lengths, spool sizes, states) are gauges observed when a reader collects.
/// Names are the documented Prometheus names; labels take only bounded values (feed and output names from the
/// configuration, signature ids, event names the contract knows, fixed stages and states).
/// </summary>
internal static class HostMetrics
{
    public static SigsInstruments Register(Meter meter, DetectionPipeline pipeline, DetectionService detection)
    {
        var instruments = new SigsInstruments(meter);
        foreach (FeedGauge gauge in Enum.GetValues<FeedGauge>().Where(FeedGauges.IsCounter))
        {
            _ = FeedGauges.Counter(instruments, gauge); // every documented counter exists before its first count
        }

        _ = FeedCounters.RefusedCounter(instruments);

        foreach ((string feed, FeedCounters counters) in detection.Feeds.SelectMany(feed => feed.CounterSets))
        {
            counters.Attach(instruments, feed);
        }

        ArgumentForms.Attach(instruments);
        InvalidUtf8.Attach(instruments);
        pipeline.Attach(instruments);
        ObserveGauges(meter, pipeline, detection, instruments);
        return instruments;
    }

    private static void ObserveGauges(Meter meter, DetectionPipeline pipeline, DetectionService detection, SigsInstruments instruments)
    {
        IEnumerable<(string Feed, FeedCounters Counters)> CounterSets() => detection.Feeds.SelectMany(feed => feed.CounterSets);
        IReadOnlyList<SignatureRunner> Runners() => pipeline.Engine.Index.Runners;
        IEnumerable<IFindingOutput> Delivering() => pipeline.Findings.Outputs.Where(o => o.Deliveries is not null);
        IReadOnlyList<Forwarding.IEventPublisher> Forwards() => pipeline.Forwarder?.Publishers ?? [];

        foreach (FeedGauge gauge in Enum.GetValues<FeedGauge>().Where(g => !FeedGauges.IsCounter(g)))
        {
            (string name, _, string help) = FeedGauges.Describe(gauge);
            meter.CreateObservableGauge(name, () => CounterSets()
                .Where(set => set.Counters.Gauges.ContainsKey(gauge))
                .Select(set => Measure(set.Counters.Gauges[gauge], ("feed", set.Feed))), description: help);
        }

        meter.CreateObservableGauge("sigs_build_info", () => Measure(1, ("version", BuildVersion), ("sdk", Loading.AssemblyInspector.HostSdkVersion.ToString(2))), description: "Always 1: the Sigs version and the plugin SDK version it provides, as labels.");
        meter.CreateObservableGauge("sigs_feed_connected", () => detection.Feeds.Select(f => Measure(f.Counters.Connected ? 1 : 0, ("feed", f.Name))), description: "1 while the feed is connected to its sensor (or listening).");
        meter.CreateObservableGauge("sigs_rules", () => new[] { Measure(pipeline.RuleCounts.Loaded, ("state", "loaded")), Measure(pipeline.RuleCounts.Refused, ("state", "refused")) }, description: "Sigma rules loaded and refused by the latest load of the rule folders.");
        meter.CreateObservableGauge("sigs_output_queue_length", () => Delivering().Select(o => Measure(o.Deliveries!.Queued, ("output", o.Name))), description: "Findings waiting for delivery, by output.");
        meter.CreateObservableGauge("sigs_output_spooled", () => Delivering().Select(o => Measure(o.Deliveries!.Spooled, ("output", o.Name))), description: "Findings kept in the output's spool folder now, by output.");
        meter.CreateObservableGauge("sigs_output_unspooled", () => Delivering().Select(o => Measure(o.Deliveries!.Unspooled, ("output", o.Name))), description: "Findings waiting in memory only, because the output's spool could not write them, by output.");
        meter.CreateObservableGauge("sigs_forward_connected", () => Forwards().Select(f => Measure(f.Counts.Connected ? 1 : 0, ("forward", f.Name))), description: "1 while a forward is connected to NATS.");
        meter.CreateObservableGauge("sigs_forward_delivering", () => Forwards().Select(f => Measure(f.Counts.Delivering ? 1 : 0, ("forward", f.Name))), description: "1 while a forward's events are acknowledged as they come (0: they wait in its spool).");
        meter.CreateObservableGauge("sigs_forward_spooled", () => Forwards().Select(f => Measure(f.Counts.Spooled, ("forward", f.Name))), description: "Batches of events waiting in a forward's spool.");
        meter.CreateObservableGauge("sigs_forward_queue_length", () => Forwards().Select(f => Measure(f.Counts.Queued, ("forward", f.Name))), description: "Events waiting to be sent by a forward.");
        // A reader runs every callback before it reads the counters: the per-event counts are flushed here (RecordedCount).
        meter.CreateObservableGauge("sigs_engine_queue_length", () =>
        {
            instruments.Flush();
            return detection.Queued;
        }, description: "Events waiting for the engine.");
        meter.CreateObservableGauge("sigs_signature_state", () => Runners().SelectMany(r => Enum.GetValues<SignatureState>().Select(state => Measure(r.State == state ? 1 : 0, ("signature", r.Metadata.Id), ("state", state.ToString().ToLowerInvariant())))), description: "1 for each signature's current state.");
    }

    /// <summary>The version <c>sigs --version</c> prints.</summary>
    private static string BuildVersion { get; } =
        typeof(HostMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HostMetrics).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private static Measurement<long> Measure(long value, params (string Key, string Value)[] tags) =>
        new(value, [.. tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value))]);
}
