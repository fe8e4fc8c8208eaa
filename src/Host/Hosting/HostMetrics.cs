using System.Diagnostics.Metrics;
using Sigs.Host.Engine;
using Sigs.Host.Feeds;
using Sigs.Host.Outputs;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Hosting;

/// <summary>
/// The instruments of a running host, on its <see cref="Common.SigsMeter"/>: each observes the counts its
/// component keeps (feeds, engine, signatures, plugins, outputs) when a reader collects, so the hot path pays
/// nothing for them. Names are the documented Prometheus names; labels take only bounded values (feed and output
/// names from the configuration, signature ids, event names the contract knows, fixed stages and states).
/// </summary>
internal static class HostMetrics
{
    public static void Register(Meter meter, DetectionPipeline pipeline, DetectionService detection)
    {
        IEnumerable<(string Feed, FeedCounters Counters)> CounterSets() => detection.Feeds.SelectMany(feed => feed.CounterSets);
        IReadOnlyList<SignatureRunner> Runners() => pipeline.Engine.Index.Runners;
        IEnumerable<IFindingOutput> Delivering() => pipeline.Findings.Outputs.Where(o => o.Deliveries is not null);

        meter.CreateObservableCounter("sigs_events_total", () => CounterSets().SelectMany(set => set.Counters.EventsByName.Select(e => Measure(e.Value, ("feed", set.Feed), ("event", e.Key)))), description: "Events received, by feed and event name.");
        foreach (FeedGauge gauge in Enum.GetValues<FeedGauge>())
        {
            (string name, string type, string help) = FeedGauges.Describe(gauge);
            Func<IEnumerable<Measurement<long>>> observe = () => CounterSets()
                .Where(set => set.Counters.Gauges.ContainsKey(gauge))
                .Select(set => Measure(set.Counters.Gauges[gauge], ("feed", set.Feed)));
            _ = type == "counter" ? (Instrument)meter.CreateObservableCounter(name, observe, description: help) : meter.CreateObservableGauge(name, observe, description: help);
        }

        meter.CreateObservableGauge("sigs_feed_connected", () => detection.Feeds.Select(f => Measure(f.Counters.Connected ? 1 : 0, ("feed", f.Name))), description: "1 while the feed is connected to its sensor (or listening).");
        meter.CreateObservableCounter("sigs_feed_reconnects_total", () => detection.Feeds.Select(f => Measure(f.Counters.Reconnects, ("feed", f.Name))), description: "Times a feed got its connection back after losing it.");
        meter.CreateObservableCounter("sigs_argument_forms_unknown_total", () => ArgumentForms.Unknown.Select(u => Measure(u.Value, ("source", u.Key.Source), ("argument", u.Key.Argument))), description: "Sensor arguments in a form Sigs does not understand (that part of the event unknown), by source and argument.");
        meter.CreateObservableCounter("sigs_input_invalid_utf8_total", () => InvalidUtf8.Repaired, description: "JSON inputs with bytes that are not UTF-8, decoded with U+FFFD in their place.");
        meter.CreateObservableCounter("sigs_drops_total", () => Drops(pipeline, detection, Delivering()), description: "Inputs or events dropped, by stage.");
        meter.CreateObservableCounter("sigs_output_delivered_total", () => Delivering().Select(o => Measure(o.Deliveries!.Delivered, ("output", o.Name))), description: "Findings a delivering output (http) had acknowledged, by output.");
        meter.CreateObservableCounter("sigs_output_retries_total", () => Delivering().Select(o => Measure(o.Deliveries!.Retries, ("output", o.Name))), description: "Delivery attempts that failed and were retried, by output.");
        meter.CreateObservableGauge("sigs_output_queue_length", () => Delivering().Select(o => Measure(o.Deliveries!.Queued, ("output", o.Name))), description: "Findings waiting for delivery, by output.");
        meter.CreateObservableGauge("sigs_output_spooled", () => Delivering().Select(o => Measure(o.Deliveries!.Spooled, ("output", o.Name))), description: "Findings kept in the output's spool folder now, by output.");
        IReadOnlyList<Forwarding.IEventPublisher> Forwards() => pipeline.Forwarder?.Publishers ?? [];
        meter.CreateObservableGauge("sigs_forward_connected", () => Forwards().Select(f => Measure(f.Counts.Connected ? 1 : 0, ("forward", f.Name))), description: "1 while a forward is connected to NATS.");
        meter.CreateObservableGauge("sigs_forward_delivering", () => Forwards().Select(f => Measure(f.Counts.Delivering ? 1 : 0, ("forward", f.Name))), description: "1 while a forward's events are acknowledged as they come (0: they wait in its spool).");
        meter.CreateObservableCounter("sigs_forward_published_total", () => Forwards().Select(f => Measure(f.Counts.Published, ("forward", f.Name))), description: "Events a forward had acknowledged by JetStream, by forward.");
        meter.CreateObservableCounter("sigs_forward_duplicates_total", () => Forwards().Select(f => Measure(f.Counts.Duplicates, ("forward", f.Name))), description: "Events sent again that JetStream recognised by message id and kept once.");
        meter.CreateObservableCounter("sigs_forward_retries_total", () => Forwards().Select(f => Measure(f.Counts.Retries, ("forward", f.Name))), description: "Spooled batches whose sending failed and was retried.");
        meter.CreateObservableGauge("sigs_forward_spooled", () => Forwards().Select(f => Measure(f.Counts.Spooled, ("forward", f.Name))), description: "Batches of events waiting in a forward's spool.");
        meter.CreateObservableGauge("sigs_forward_queue_length", () => Forwards().Select(f => Measure(f.Counts.Queued, ("forward", f.Name))), description: "Events waiting to be sent by a forward.");
        meter.CreateObservableCounter<long>("sigs_plugin_refusals_total", () => (Measurement<long>[])[Measure(pipeline.Loader.RefusedPlugins, ("kind", "plugin")), Measure(pipeline.Loader.RefusedDependencies, ("kind", "dependency"))], description: "Plugins and signatures refused at load, and dependencies refused later, by kind.");
        meter.CreateObservableCounter("sigs_plugin_unload_leaks_total", () => pipeline.UnloadVerifier.Leaks, description: "Unloaded plugins whose load context was not collected.");
        meter.CreateObservableCounter("sigs_engine_events_total", () => pipeline.EventsProcessed, description: "Events run through the engine.");
        meter.CreateObservableGauge("sigs_engine_queue_length", () => detection.Queued, description: "Events waiting for the engine.");
        meter.CreateObservableCounter("sigs_findings_total", () => Runners().Select(r => Measure(r.Findings, ("signature", r.Metadata.Id))), description: "Findings, by signature.");
        meter.CreateObservableCounter("sigs_signature_events_total", () => Runners().Select(r => Measure(r.Events, ("signature", r.Metadata.Id))), description: "Events delivered to each signature.");
        meter.CreateObservableCounter("sigs_signature_faults_total", () => Runners().Select(r => Measure(r.Faults, ("signature", r.Metadata.Id))), description: "Exceptions thrown by each signature.");
        meter.CreateObservableGauge("sigs_signature_state", () => Runners().SelectMany(r => Enum.GetValues<SignatureState>().Select(state => Measure(r.State == state ? 1 : 0, ("signature", r.Metadata.Id), ("state", state.ToString().ToLowerInvariant())))), description: "1 for each signature's current state.");
    }

    private static IEnumerable<Measurement<long>> Drops(DetectionPipeline pipeline, DetectionService detection, IEnumerable<IFindingOutput> delivering)
    {
        foreach (IEventFeed feed in detection.Feeds)
        {
            yield return Measure(feed.Counters.DecodeErrors, ("stage", "decode"), ("feed", feed.Name));
            yield return Measure(feed.Counters.Rejected, ("stage", "receive"), ("feed", feed.Name));
        }

        yield return Measure(pipeline.Processes.Evictions, ("stage", "process_table"));
        yield return Measure(pipeline.Findings.OutputFailures, ("stage", "output"));
        foreach (Forwarding.IEventPublisher forward in pipeline.Forwarder?.Publishers ?? [])
        {
            yield return Measure(forward.Counts.Dropped, ("stage", "forward"), ("forward", forward.Name));
        }

        foreach (IFindingOutput output in delivering)
        {
            yield return Measure(output.Deliveries!.Dropped, ("stage", "delivery"), ("output", output.Name));
        }

        foreach (SignatureRunner runner in pipeline.Engine.Index.Runners)
        {
            yield return Measure(runner.Skipped, ("stage", "quarantine"), ("signature", runner.Metadata.Id));
            yield return Measure(runner.Dropped, ("stage", "isolated_queue"), ("signature", runner.Metadata.Id));
        }
    }

    private static Measurement<long> Measure(long value, params (string Key, string Value)[] tags) =>
        new(value, [.. tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value))]);
}
