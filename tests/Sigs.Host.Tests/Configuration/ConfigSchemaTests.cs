using System.Text.Json;
using System.Text.Json.Nodes;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Outputs;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Configuration;

/// <summary>schema/config.schema.json is what the configuration records and the registered extension types generate.</summary>
public class ConfigSchemaTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Generated() => ConfigSchema.Generate(HostExtensions.Types).ToJsonString(Indented) + "\n";

    [Fact]
    public void SchemaFile_IsTheGeneratedSchema()
    {
        string path = RepoPaths.Schema("config.schema.json");
        if (Environment.GetEnvironmentVariable("SIGS_WRITE_SCHEMA") == "1")
        {
            File.WriteAllText(path, Generated());
        }

        Assert.True(
            File.ReadAllText(path) == Generated(),
            "schema/config.schema.json differs from what the records generate; run: SIGS_WRITE_SCHEMA=1 dotnet test --filter SchemaFile_IsTheGeneratedSchema");
        Assert.True(HostExtensions.Types.GeneratedSchemaText!() == Generated(), "the host reads the schema it embeds: rebuild after regenerating it");
    }

    [Fact]
    public void EveryType_HasItsOwnClosedDefinition_SelectedByItsName()
    {
        JsonObject schema = ConfigSchema.Generate(HostExtensions.Types);
        var definitions = schema["definitions"]!.AsObject();
        foreach ((string point, IEnumerable<IExtensionType> types) in new (string, IEnumerable<IExtensionType>)[] { ("feeds", FeedTypes.All), ("outputs", OutputTypes.All) })
        {
            JsonNode items = schema["properties"]![point]!["items"]!;
            Assert.Equal(types.Select(t => t.Name), items["properties"]!["type"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
            foreach (IExtensionType type in types)
            {
                JsonNode definition = definitions[$"{point}.{type.Name}"]!;
                Assert.False(definition["additionalProperties"]!.GetValue<bool>());
                Assert.Equal(type.Name, definition["properties"]!["type"]!["const"]!.GetValue<string>());
                Assert.Contains(items["allOf"]!.AsArray(), rule => rule!["then"]!["$ref"]!.GetValue<string>() == $"#/definitions/{point}.{type.Name}");
            }
        }
    }

    [Fact]
    public void FeedTypes_AreTheOnesTheHostDocuments()
    {
        Assert.Equal(["falco-grpc", "falco-http", "file", "k8s-audit", "native", "nats", "tetragon", "tracee"], FeedTypes.All.Select(t => t.Name));
        Assert.Equal(["file", "http", "nats", "stdout"], OutputTypes.All.Select(t => t.Name));
        Assert.Equal(["nats"], Sigs.Host.Forwarding.ForwardTypes.All.Select(t => t.Name));
    }
}
