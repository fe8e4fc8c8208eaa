using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Hosting;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Hosting;

/// <summary>The host's instruments: every metric a doc names exists, and no input can add a series.</summary>
public sealed partial class HostMetricsTests : IDisposable
{
    private readonly CapturingLoggerFactory _logs = new();
    private readonly DetectionPipeline _pipeline;
    private readonly ManualFeed _feed = new();
    private readonly DetectionService _detection;
    private readonly SigsMeter _meter = SigsMeter.Create();
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, IReadOnlyDictionary<string, string?> Tags, long Value)> _measurements = [];

    public HostMetricsTests()
    {
        // A reader listening from the start, as the host's exporter does: counters record as they count.
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == _meter.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString()), value));
            }
        });
        _listener.Start();
        _pipeline = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [], _logs, TimeProvider.System);
        _detection = new DetectionService(_pipeline, [_feed], TimeSpan.FromSeconds(5), _logs);
        HostMetrics.Register(_meter.Meter, _pipeline, _detection);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meter.Dispose();
        _detection.Dispose();
        _pipeline.Dispose();
    }

    [Fact]
    public void EveryMetricTheDocsName_IsAnInstrument()
    {
        string[] documented = [.. Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Append(Path.Combine(RepoPaths.Root, "README.md"))
            .SelectMany(file => MetricName().Matches(File.ReadAllText(file)).Select(m => m.Value))
            .Distinct()
            .Order(StringComparer.Ordinal)];

        Assert.NotEmpty(documented);
        Assert.Empty(documented.Except(Instruments()));
    }

    [Fact]
    public void EventLabels_StayBoundedWhateverNamesASensorSends()
    {
        for (int i = 0; i < 500; i++)
        {
            _feed.Counters.CountEvent($"made_up_event_{i}");
        }

        _feed.Counters.CountEvent(EventNames.FileOpen);

        var events = Collect().Where(m => m.Name == "sigs_events_total").ToList();
        Assert.Equal(["other", EventNames.FileOpen], events.Select(e => e.Tags["event"]).Order(StringComparer.Ordinal));
        Assert.Equal(500, events.Single(e => e.Tags["event"] == "other").Value);
    }

    [Fact]
    public void AKeyedWindowsEvictions_AreCountedPerSignature()
    {
        // SIGS-1003 keeps at most 10,000 token reads waiting (its KeyedWindow); one more evicts the oldest.
        for (int i = 0; i <= 10_000; i++)
        {
            _pipeline.Process(new SecurityEvent
            {
                Time = DateTimeOffset.UnixEpoch.AddYears(55).AddMilliseconds(i),
                Source = EventSources.Sigs,
                Name = EventNames.FileOpen,
                Origin = EventOrigin.Container,
                Process = new ProcessInfo { Name = "cat", Interactive = true },
                Container = new ContainerInfo { Id = "c1" },
                Kubernetes = new KubernetesInfo { PodName = $"pod-{i}", Namespace = "shop" },
                File = new FileEventInfo { Path = "/var/run/secrets/kubernetes.io/serviceaccount/token", Flags = 0 },
            });
        }

        Assert.Equal(1, Collect().Single(m => m.Name == "sigs_signature_evictions_total" && m.Tags["signature"] == "SIGS-1003").Value);
    }

    /// <summary>
    /// What a reader has seen: every counter's measurements summed per series since the start, and the gauges
    /// observed now.
    /// </summary>
    private List<(string Name, IReadOnlyDictionary<string, string?> Tags, long Value)> Collect()
    {
        _listener.RecordObservableInstruments();
        lock (_measurements)
        {
            return [.. _measurements
                .GroupBy(m => (m.Name, Series: string.Join(",", m.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"))))
                .Select(g => (g.Key.Name, g.First().Tags, g.Sum(m => m.Value)))];
        }
    }

    /// <summary>Every instrument name on the meter, measured now or not (a gauge for a feed kind not running reports nothing).</summary>
    private List<string> Instruments()
    {
        var names = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter == _meter.Meter)
                {
                    names.Add(instrument.Name);
                }
            },
        };
        listener.Start();
        return names;
    }

    [GeneratedRegex(@"\bsigs_[a-z0-9_]+[a-z0-9]\b")]
    private static partial Regex MetricName();
}
