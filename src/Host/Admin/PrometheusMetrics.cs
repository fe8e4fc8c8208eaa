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
/// <remarks>
/// Beside Sigs' own meter it reads the runtime's built-in <c>System.Runtime</c> meter (process CPU time and memory,
/// GC, thread pool, exceptions: <c>dotnet_*</c>), which on .NET 9 and later is what OpenTelemetry's runtime and
/// process instrumentation packages defer to. Samples carry only their own labels: the exporter's
/// <c>otel_scope_*</c> labels would repeat the meter's name on every line (the names already start with
/// <c>sigs_</c> or <c>dotnet_</c>).
/// </remarks>
internal static class PrometheusMetrics
{
    /// <summary>The runtime's own meter: process and runtime metrics without another package.</summary>
    public const string RuntimeMeter = "System.Runtime";

    public static MeterProvider Create() => Sdk.CreateMeterProviderBuilder()
        .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("sigs"))
        .AddMeter(SigsMeter.Name, RuntimeMeter)
        .AddPrometheusExporter(prometheus =>
        {
            prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            prometheus.ScopeInfoEnabled = false;
        })
        .Build();
}
