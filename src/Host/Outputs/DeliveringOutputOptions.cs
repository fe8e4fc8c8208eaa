using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Sigs.Host.Configuration;

namespace Sigs.Host.Outputs;

/// <summary>The keys every output that delivers through a <see cref="DeliveringOutput"/> has: its queue and its spool.</summary>
internal abstract record DeliveringOutputOptions : OutputOptions
{
    [Description("Keep undelivered findings on disk, across outages and restarts.")]
    [MinLength(1)]
    public string? SpoolDir { get; init; }

    [Description("Findings waiting for delivery (and spool files); more are dropped and counted (default 10000).")]
    [Range(1, int.MaxValue)]
    public int QueueCapacity { get; init; } = 10_000;
}
