using System.Text.Json;
using System.Text.Json.Serialization;
using Sigs.Plugins;

namespace Sigs.Host.Contract;

/// <summary>
/// The contract's JSON, generated at build time with the same options as <see cref="ContractJson.Options"/>, so
/// events (forwarded, in findings) are written by generated code; see <see cref="ContractJson.Event"/>.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    WriteIndented = false)]
[JsonSerializable(typeof(SecurityEvent))]
internal sealed partial class ContractJsonContext : JsonSerializerContext;
