using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using Sigs.Host.Contract;

namespace Sigs.Host.Configuration;

/// <summary>Reads the YAML configuration, validates it against <c>schema/config.schema.json</c>, and binds it.</summary>
internal static class ConfigLoader
{
    /// <summary>The keys each feed type takes besides <c>type</c>.</summary>
    private static readonly Dictionary<string, string[]> FeedKeys = new(StringComparer.Ordinal)
    {
        [FeedConfig.Tracee] = ["address", "policies", "maxMessageBytes", "fallback", "fallbackGraceSeconds"],
        [FeedConfig.FalcoGrpc] = ["address", "maxMessageBytes", "tls", "fallback", "fallbackGraceSeconds"],
        [FeedConfig.FalcoHttp] = ["listen", "maxBodyBytes", "maxConcurrentRequests", "maxBufferedBytes", "bearerTokenFile"],
        [FeedConfig.KubernetesAudit] = ["listen", "maxBodyBytes", "maxConcurrentRequests", "maxBufferedBytes", "bearerTokenFile"],
        [FeedConfig.File] = ["path", "follow"],
        [FeedConfig.Native] = [],
    };

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

    /// <summary>The keys each output type takes besides <c>type</c>.</summary>
    private static readonly Dictionary<string, string[]> OutputKeys = new(StringComparer.Ordinal)
    {
        [OutputConfig.Stdout] = [],
        [OutputConfig.File] = ["path", "maxSizeMB", "maxFiles", "fsyncSeconds"],
        [OutputConfig.Http] = ["url", "format", "headers", "spoolDir", "queueCapacity", "timeoutSeconds"],
    };

    /// <summary>A key that the type does not take, as "key: problem", or null.</summary>
    private static string? KeyProblem(Dictionary<string, string[]> keysByType, string type, JsonObject keys)
    {
        string[] allowed = keysByType[type];
        string? stray = keys.Select(k => k.Key).FirstOrDefault(k => k != "type" && !allowed.Contains(k));
        return stray is null ? null : $"{stray}: not used by type '{type}' (it takes: {(allowed.Length == 0 ? "nothing else" : string.Join(", ", allowed))})";
    }

    /// <summary>What is wrong with one feed's keys for its type, as "key: problem", or null.</summary>
    public static string? FeedProblem(FeedConfig feed, JsonObject keys)
    {
        if (KeyProblem(FeedKeys, feed.Type, keys) is { } stray)
        {
            return stray;
        }

        if (feed.Type == FeedConfig.File && string.IsNullOrWhiteSpace(feed.Path))
        {
            return "path: required for type 'file'";
        }

        if (feed.FallbackGraceSeconds is not null && feed.Fallback is null)
        {
            return "fallbackGraceSeconds: needs fallback: native";
        }

        return feed.Tls is not null && feed.Address is { } address && address.StartsWith("unix:", StringComparison.Ordinal)
            ? "tls: only for a TCP address"
            : null;
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
            // Without an outputs: key the default (stdout) applies, and it has no keys to check.
            string? problem = (node["outputs"] is JsonArray outputs ? KeyProblem(OutputKeys, output.Type, outputs[index]!.AsObject()) : null)
                ?? (output.Type == OutputConfig.File && output.Path is null ? "path: required for type 'file'"
                : output.Type == OutputConfig.Http && output.Url is null ? "url: required for type 'http'"
                : null);
            if (problem is not null)
            {
                throw new ConfigException($"{fileName}: outputs[{index}].{problem}");
            }
        }

        foreach ((int index, FeedConfig feed) in config.Feeds.Index())
        {
            string? problem = FeedProblem(feed, node["feeds"]![index]!.AsObject());
            if (problem is not null)
            {
                throw new ConfigException($"{fileName}: feeds[{index}].{problem}");
            }
        }

        return config;
    }
}
