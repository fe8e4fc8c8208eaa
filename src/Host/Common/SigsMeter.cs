using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Sigs.Host.Common;

/// <summary>
/// The host's one <see cref="Meter"/>, named <c>Sigs</c>, made by an <see cref="IMeterFactory"/>. /metrics
/// (OpenTelemetry's Prometheus exporter), <c>dotnet-counters monitor --counters Sigs</c> and any OTLP exporter
/// read the same instruments.
/// </summary>
internal sealed class SigsMeter : IDisposable
{
    public const string Name = "Sigs";

    private readonly ServiceProvider? _ownServices;

    public SigsMeter(IMeterFactory factory) => Meter = factory.Create(new MeterOptions(Name) { Version = typeof(SigsMeter).Assembly.GetName().Version?.ToString() });

    private SigsMeter(ServiceProvider services)
        : this(services.GetRequiredService<IMeterFactory>()) => _ownServices = services;

    public Meter Meter { get; }

    /// <summary>A meter from its own factory, for a process that has no host services (the CLI, tests).</summary>
    public static SigsMeter Create() => new(new ServiceCollection().AddMetrics().BuildServiceProvider());

    public void Dispose()
    {
        Meter.Dispose();
        _ownServices?.Dispose();
    }
}
