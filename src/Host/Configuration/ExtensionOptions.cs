using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Sigs.Host.Configuration;

/// <summary>
/// The options of one configured feed: a record per feed type, declared beside the feed (see
/// <see cref="IExtensionType"/>). Its <c>type</c> key picks the record; the schema is generated from it.
/// </summary>
internal abstract record FeedOptions
{
    [Description("The feed's name in /healthz, logs and metrics (their feed label); default: its type, then TYPE-2, TYPE-3 for more feeds of one type.")]
    [RegularExpression("^[a-z0-9][a-z0-9_.-]{0,62}$")]
    public string? Name { get; init; }
}

/// <summary>The options of one configured output; a record per output type, declared beside the output.</summary>
internal abstract record OutputOptions
{
    /// <summary>The severities, least first, as <c>minSeverity</c> and <c>--min-severity</c> take them.</summary>
    public static readonly string[] Severities = ["info", "low", "medium", "high", "critical"];

    [Description("Only findings of this severity or higher reach this output: info, low, medium, high or critical (default: all).")]
    [AllowedValues("info", "low", "medium", "high", "critical")]
    public string? MinSeverity { get; init; }

    /// <summary><see cref="MinSeverity"/> as a <see cref="Plugins.Severity"/>, or null for every finding (a method: no config key).</summary>
    public Plugins.Severity? Minimum() => MinSeverity is { } name ? Enum.Parse<Plugins.Severity>(name, ignoreCase: true) : null;
}

/// <summary>The options of one configured forward (events sent on to correlators); a record per forward type, declared beside it.</summary>
internal abstract record ForwardOptions;
