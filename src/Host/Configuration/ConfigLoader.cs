using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using Sigs.Host.Contract;

namespace Sigs.Host.Configuration;

/// <summary>Reads the YAML configuration, validates it against <c>schema/config.schema.json</c>, and binds it.</summary>
internal static class ConfigLoader
{
    private static readonly Lazy<JsonSchema> Schema = new(() => SchemaValidation.LoadEmbedded("config.schema.json"));

    public static SigsConfig Load(string? path)
    {
        if (path is null)
        {
            return new SigsConfig();
        }

        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read the configuration: {ex.Message}");
        }

        return Parse(yaml, path);
    }

    public static SigsConfig Parse(string yaml, string fileName)
    {
        JsonNode? node = YamlToJson.Convert(yaml, fileName) ?? new JsonObject();
        string json = node.ToJsonString();
        IReadOnlyList<string> problems = SchemaValidation.Validate(Schema.Value, json);
        if (problems.Count > 0)
        {
            throw new ConfigException($"{fileName}: {string.Join("; ", problems)}");
        }

        SigsConfig config = JsonSerializer.Deserialize<SigsConfig>(json, ContractJson.Options) ?? new SigsConfig();
        foreach ((int index, OutputConfig output) in config.Outputs.Index())
        {
            if (output.Type == OutputConfig.File && string.IsNullOrWhiteSpace(output.Path))
            {
                throw new ConfigException($"{fileName}: outputs[{index}].path: required for type 'file'");
            }
        }

        foreach ((int index, FeedConfig feed) in config.Feeds.Index())
        {
            if (feed.Type == FeedConfig.File && string.IsNullOrWhiteSpace(feed.Path))
            {
                throw new ConfigException($"{fileName}: feeds[{index}].path: required for type 'file'");
            }
        }

        return config;
    }
}
