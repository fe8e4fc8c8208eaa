using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sigs.Host.Contract;

/// <summary>The one set of JSON options for the contract's own form (camelCase, nulls omitted).</summary>
internal static class ContractJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = false,
    };
}
