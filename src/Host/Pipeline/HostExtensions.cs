using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Forwarding;
using Sigs.Host.Outputs;

namespace Sigs.Host.Pipeline;

/// <summary>
/// The extension types this host offers; its configuration is read against the schema they generate, which the
/// host carries as schema/config.schema.json (ConfigSchemaTests keeps the file equal to the generated one).
/// </summary>
internal static class HostExtensions
{
    public static ExtensionTypes Types { get; } = new([.. FeedTypes.All], [.. OutputTypes.All], [.. ForwardTypes.All])
    {
        GeneratedSchemaText = () => SchemaValidation.ReadEmbedded("config.schema.json"),
    };
}
