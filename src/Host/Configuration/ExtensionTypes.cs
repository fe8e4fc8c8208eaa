using System.Text.Json;
using NJsonSchema;

namespace Sigs.Host.Configuration;

/// <summary>The types each extension point offers; the configuration is read and its schema generated against them.</summary>
internal sealed record ExtensionTypes(IReadOnlyList<IExtensionType> Feeds, IReadOnlyList<IExtensionType> Outputs, IReadOnlyList<IExtensionType> Forwards)
{
    private JsonSchema? _schema;
    private JsonSerializerOptions? _jsonOptions;

    /// <summary>The configuration key and the types of each extension point, with the base record its options derive from.</summary>
    public IEnumerable<(string Key, Type OptionsBase, IReadOnlyList<IExtensionType> Types)> Points =>
    [
        ("feeds", typeof(FeedOptions), Feeds),
        ("outputs", typeof(OutputOptions), Outputs),
        ("forward", typeof(ForwardOptions), Forwards),
    ];

    /// <summary>
    /// The text of the schema these types generate, when it is at hand already (the host embeds
    /// schema/config.schema.json); null to generate it.
    /// </summary>
    public Func<string>? GeneratedSchemaText { get; init; }

    /// <summary>The generated schema, compiled once.</summary>
    public JsonSchema Schema => _schema ??= SchemaValidation.Parse(GeneratedSchemaText?.Invoke() ?? ConfigSchema.Generate(this).ToJsonString());

    /// <summary>How the configuration binds to the records.</summary>
    public JsonSerializerOptions JsonOptions => _jsonOptions ??= ConfigJson.Options(this);
}
