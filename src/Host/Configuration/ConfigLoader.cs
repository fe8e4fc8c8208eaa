using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;
using Sigs.Host.Common;

namespace Sigs.Host.Configuration;

/// <summary>
/// Reads the YAML configuration, validates it against the schema generated for the known extension types
/// (<see cref="ConfigSchema"/>), and binds it to <see cref="SigsConfig"/>.
/// </summary>
internal static class ConfigLoader
{
    /// <summary>The largest configuration file read: far beyond any real one, small enough that reading it costs nothing.</summary>
    public const int MaxBytes = 1 << 20;

    public static SigsConfig Load(string? path, ExtensionTypes types)
    {
        if (path is null)
        {
            return new SigsConfig();
        }

        string yaml;
        try
        {
            yaml = BoundedFile.ReadText(path, MaxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read the configuration: {ex.Message}");
        }

        return Parse(yaml, path, types);
    }

    public static SigsConfig Parse(string yaml, string fileName, ExtensionTypes types)
    {
        JsonNode node = YamlToJson.Convert(yaml, fileName) ?? new JsonObject();
        string json = node.ToJsonString();
        IReadOnlyList<string> problems = SchemaValidation.Validate(types.Schema, json);
        if (problems.Count > 0)
        {
            throw new ConfigException($"{fileName}: {string.Join("; ", problems)}");
        }

        foreach ((string key, _, IReadOnlyList<IExtensionType> pointTypes) in types.Points)
        {
            if (node[key] is JsonArray items)
            {
                CheckItems(key, items, pointTypes, types.Schema, fileName);
            }
        }

        SigsConfig config;
        try
        {
            config = JsonSerializer.Deserialize<SigsConfig>(json, types.JsonOptions) ?? new SigsConfig();
        }
        catch (JsonException ex)
        {
            // The schema is generated from these records, so this is a value the schema lets through and a record
            // cannot hold (a number past a property's range, say): still one line naming the key.
            throw new ConfigException($"{fileName}: {(ex.Path ?? "$").TrimStart('$').TrimStart('.')}: {ex.Message.Split(". ")[0]}");
        }

        CheckRules("feeds", config.Feeds, types.Feeds, fileName);
        CheckRules("outputs", config.Outputs ?? [], types.Outputs, fileName);
        CheckRules("forward", config.Forward, types.Forwards, fileName);
        if (config.Admin.Problem() is { } adminProblem)
        {
            throw new ConfigException($"{fileName}: {adminProblem}");
        }

        return config;
    }

    /// <summary>Each item against its type's own keys; the first problem names the item, the key and the type.</summary>
    private static void CheckItems(string point, JsonArray items, IReadOnlyList<IExtensionType> pointTypes, JsonSchema schema, string fileName)
    {
        foreach ((int index, JsonNode? item) in items.Index())
        {
            string typeName = item!["type"]!.GetValue<string>();
            JsonSchema definition = schema.Definitions[ConfigSchema.DefinitionName(point, typeName)];
            IReadOnlyList<SchemaProblem> problems = SchemaValidation.Problems(definition, item.ToJsonString());
            if (problems.Count > 0 && problems[0] is { } problem)
            {
                throw new ConfigException($"{fileName}: {point}[{index}].{Describe(problem, typeName, definition, pointTypes, schema, point)}");
            }
        }
    }

    private static string Describe(SchemaProblem problem, string typeName, JsonSchema definition, IReadOnlyList<IExtensionType> pointTypes, JsonSchema schema, string point)
    {
        string key = problem.Path;
        if (problem.Kind == ValidationErrorKind.NoAdditionalPropertiesAllowed)
        {
            // A key of another type is a mix-up worth naming; a key no type has is a typo.
            bool otherTypesKey = pointTypes.Any(t => schema.Definitions[ConfigSchema.DefinitionName(point, t.Name)].Properties.ContainsKey(key));
            string[] takes = [.. definition.Properties.Keys.Where(k => k != "type")];
            return otherTypesKey
                ? $"{key}: not used by type '{typeName}' (it takes: {(takes.Length == 0 ? "nothing else" : string.Join(", ", takes))})"
                : $"{key}: unknown key";
        }

        return problem.Kind == ValidationErrorKind.PropertyRequired
            ? $"{key}: required for type '{typeName}'"
            : problem.ToString();
    }

    private static void CheckRules<TOptions>(string point, IEnumerable<TOptions> items, IReadOnlyList<IExtensionType> pointTypes, string fileName)
        where TOptions : notnull
    {
        foreach ((int index, TOptions options) in items.Index())
        {
            IExtensionType type = ExtensionDiscovery.TypeOf(pointTypes, options);
            if (type.Problem(options) is { } problem)
            {
                throw new ConfigException($"{fileName}: {point}[{index}].{problem}");
            }
        }
    }
}
