using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Sigs.Host.Contract;

/// <summary>
/// The one set of JSON options for the contract's own form (camelCase, nulls omitted). The contract's types come
/// from <see cref="ContractJsonContext"/> (generated code); anything else (a finding's data, reports) by reflection.
/// </summary>
internal static class ContractJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = false,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ContractJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };
}
