using System.Text.Json;

namespace Sigs.Host.Configuration;

/// <summary>The host configuration, as described by <c>schema/config.schema.json</c>.</summary>
internal sealed record SigsConfig
{
    public PluginsConfig Plugins { get; init; } = new();

    public IReadOnlyList<OutputConfig> Outputs { get; init; } = [new OutputConfig { Type = OutputConfig.Stdout }];

    public IReadOnlyList<FeedConfig> Feeds { get; init; } = [];

    public IReadOnlyDictionary<string, SignatureSettings> Signatures { get; init; } = new Dictionary<string, SignatureSettings>();
}

internal sealed record PluginsConfig
{
    public string? Dir { get; init; }
}

internal sealed record OutputConfig
{
    public const string Stdout = "stdout";
    public const string File = "file";

    public required string Type { get; init; }

    public string? Path { get; init; }
}

internal sealed record FeedConfig
{
    public const string File = "file";

    public required string Type { get; init; }

    public string? Path { get; init; }
}

internal sealed record SignatureSettings
{
    public bool Enabled { get; init; } = true;

    public JsonElement? Config { get; init; }
}
