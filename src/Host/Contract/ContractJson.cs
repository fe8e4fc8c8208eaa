using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Sigs.Plugins;

namespace Sigs.Host.Contract;

/// <summary>
/// The one set of JSON options for the contract's own form (camelCase, nulls omitted). Reading goes by reflection:
/// generated readers set an init-only property the JSON lacks to null (an event without <c>args</c> would have none
/// instead of the empty map). Writing an event is quickest with <see cref="Event"/>, generated for these options.
/// </summary>
internal static class ContractJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = false,
    };

    /// <summary>An event's JSON writer, generated at build time for the same options (the same bytes as <see cref="Options"/> writes).</summary>
    public static JsonTypeInfo<SecurityEvent> Event => ContractJsonContext.Default.SecurityEvent;
}
