using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace Sigs.Host.Configuration;

/// <summary>
/// Generates <c>schema/config.schema.json</c> from <see cref="SigsConfig"/> and the options records of every
/// extension type: keys and types from the records, descriptions and limits from their attributes
/// (<see cref="DescriptionAttribute"/>, <see cref="RangeAttribute"/>, <see cref="MinLengthAttribute"/>,
/// <see cref="RegularExpressionAttribute"/>, <see cref="AllowedValuesAttribute"/>).
/// </summary>
/// <remarks>
/// A feed or an output is a mapping whose <c>type</c> picks the rest: its own keys are in
/// <c>definitions/&lt;point&gt;.&lt;type&gt;</c>, which the list items select with <c>if</c>/<c>then</c> (editors use
/// them). The loader checks each item against its definition itself, so errors name the type.
/// </remarks>
internal static class ConfigSchema
{
    public const string Draft = "http://json-schema.org/draft-07/schema#";

    /// <summary>The name of the definition holding one type's keys.</summary>
    public static string DefinitionName(string point, string type) => $"{point}.{type}";

    public static JsonObject Generate(ExtensionTypes types)
    {
        var definitions = new JsonObject();
        JsonSerializerOptions options = ConfigJson.Options(types);
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) => Transform(context, node, types, definitions),
        };
        var schema = (JsonObject)options.GetJsonSchemaAsNode(typeof(SigsConfig), exporter);
        var root = new JsonObject
        {
            ["$schema"] = Draft,
            ["$id"] = "https://sigs.dev/schema/config.schema.json",
            ["title"] = "Sigs configuration",
        };
        foreach ((string key, JsonNode? value) in schema.ToList())
        {
            schema.Remove(key);
            root[key] = value;
        }

        root["definitions"] = definitions;
        return root;
    }

    private static JsonNode Transform(JsonSchemaExporterContext context, JsonNode node, ExtensionTypes types, JsonObject definitions)
    {
        if (node is not JsonObject schema)
        {
            // A free-form value (JsonElement) is "true"; it may still carry a description and a shape.
            if (context.PropertyInfo?.AttributeProvider is not { } freeForm || freeForm.GetCustomAttributes(inherit: true).Length == 0)
            {
                return node;
            }

            schema = [];
        }

        DropNull(schema);
        if (context.PropertyInfo?.AttributeProvider is { } attributes)
        {
            Annotate(schema, attributes);
        }

        foreach ((string point, Type optionsBase, IReadOnlyList<IExtensionType> pointTypes) in types.Points)
        {
            if (context.TypeInfo.Type == optionsBase && context.BaseTypeInfo is null)
            {
                return Dispatch(point, pointTypes, context.TypeInfo.Options);
            }

            if (context.BaseTypeInfo?.Type == optionsBase && pointTypes.FirstOrDefault(t => t.OptionsType == context.TypeInfo.Type) is { } type)
            {
                schema.Remove("$id");
                schema.Insert(0, "description", type.Summary);
                definitions[DefinitionName(point, type.Name)] = schema.DeepClone();
            }
        }

        return schema;
    }

    /// <summary>
    /// A list item of an extension point: <c>type</c> names one of its types, whose definition applies. The item
    /// itself takes the keys of any type, so a key no type has is unknown even before the type is known.
    /// </summary>
    private static JsonObject Dispatch(string point, IReadOnlyList<IExtensionType> types, JsonSerializerOptions options)
    {
        var properties = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. types.Select(t => (JsonNode)t.Name)]) },
        };
        foreach (string key in types.SelectMany(t => options.GetTypeInfo(t.OptionsType).Properties.Select(p => p.Name)).Distinct().Order(StringComparer.Ordinal))
        {
            properties[key] = new JsonObject();
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("type"),
            ["properties"] = properties,
            ["additionalProperties"] = false,
            ["allOf"] = Selections(point, types),
        };
    }

    private static JsonArray Selections(string point, IReadOnlyList<IExtensionType> types) =>
        new([.. types.Select(t => (JsonNode)new JsonObject
        {
            ["if"] = new JsonObject { ["properties"] = new JsonObject { ["type"] = new JsonObject { ["const"] = t.Name } } },
            ["then"] = new JsonObject { ["$ref"] = $"#/definitions/{DefinitionName(point, t.Name)}" },
        })]);

    /// <summary>Configuration keys never take null: a nullable property only means "not set".</summary>
    private static void DropNull(JsonObject schema)
    {
        if (schema["type"] is JsonArray kinds)
        {
            string[] rest = [.. kinds.Select(k => k!.GetValue<string>()).Where(k => k != "null")];
            schema["type"] = rest.Length == 1 ? rest[0] : new JsonArray([.. rest.Select(k => (JsonNode)k)]);
        }
    }

    private static void Annotate(JsonObject schema, ICustomAttributeProvider attributes)
    {
        foreach (object attribute in attributes.GetCustomAttributes(inherit: true))
        {
            switch (attribute)
            {
                case DescriptionAttribute description:
                    schema["description"] = description.Description;
                    break;
                case RangeAttribute range:
                    schema[range.MinimumIsExclusive ? "exclusiveMinimum" : "minimum"] = Number(range.Minimum);
                    if (!IsUnbounded(range.Maximum))
                    {
                        schema["maximum"] = Number(range.Maximum);
                    }

                    break;
                case MinLengthAttribute minLength:
                    schema[IsArray(schema) ? "minItems" : "minLength"] = minLength.Length;
                    break;
                case RegularExpressionAttribute pattern:
                    schema["pattern"] = pattern.Pattern;
                    break;
                case AllowedValuesAttribute allowed:
                    schema["enum"] = new JsonArray([.. allowed.Values.Select(v => JsonValue.Create(v?.ToString()))]);
                    break;
                case ValuePatternAttribute valuePattern:
                    schema["additionalProperties"] = new JsonObject { ["type"] = "string", ["pattern"] = valuePattern.Pattern };
                    break;
                case MappingAttribute:
                    schema["type"] = "object";
                    break;
            }
        }
    }

    private static bool IsArray(JsonObject schema) => schema["type"] is JsonValue kind && kind.GetValue<string>() == "array";

    private static JsonNode Number(object value) => value switch
    {
        int i => i,
        long l => l,
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => (long)d,
        double d => d,
        _ => JsonValue.Create(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static bool IsUnbounded(object maximum) => maximum is double.MaxValue; // an int property keeps its int.MaxValue: larger numbers cannot bind
}
