using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Sigs.Host.Common;

namespace Sigs.Host.Admin;

/// <summary>
/// The OpenTelemetry meter provider behind /metrics: it listens to the <see cref="SigsMeter"/> from its creation,
/// so it must be made before anything counts (the counters record as they count, and a measurement nobody
/// listens to is gone). The admin endpoint renders it with OpenTelemetry's Prometheus exporter.
/// </summary>
internal static class PrometheusMetrics
{
    public static MeterProvider Create() => Sdk.CreateMeterProviderBuilder()
        .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("sigs"))
        .AddMeter(SigsMeter.Name)
        .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0)
        .Build();
}
