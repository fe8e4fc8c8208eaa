using System.Text.Json.Serialization;

namespace Sigs.Plugins;

/// <summary>How serious a finding is. Values 0 to 3 are Tracee's scale; <see cref="Critical"/> extends it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity
{
    /// <summary>Informational.</summary>
    [JsonStringEnumMemberName("info")] Info = 0,

    /// <summary>Low.</summary>
    [JsonStringEnumMemberName("low")] Low = 1,

    /// <summary>Medium.</summary>
    [JsonStringEnumMemberName("medium")] Medium = 2,

    /// <summary>High.</summary>
    [JsonStringEnumMemberName("high")] High = 3,

    /// <summary>Critical.</summary>
    [JsonStringEnumMemberName("critical")] Critical = 4,
}
