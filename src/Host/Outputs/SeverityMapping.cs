using Sigs.Plugins;

namespace Sigs.Host.Outputs;

/// <summary>How a Sigs severity reads in Falco's priorities and in ECS <c>event.severity</c> (docs/outputs.md).</summary>
internal static class SeverityMapping
{
    public static string FalcoPriority(Severity severity) => severity switch
    {
        Severity.Info => "Informational",
        Severity.Low => "Notice",
        Severity.Medium => "Warning",
        Severity.High => "Error",
        _ => "Critical",
    };

    /// <summary>The ECS / Elastic risk-score convention: 21 low, 47 medium, 73 high, 99 critical.</summary>
    public static int EcsSeverity(Severity severity) => severity switch
    {
        Severity.Info => 0,
        Severity.Low => 21,
        Severity.Medium => 47,
        Severity.High => 73,
        _ => 99,
    };
}
