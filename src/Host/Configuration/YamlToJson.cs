using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Sigs.Host.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Configuration;

/// <summary>
/// Converts a YAML document to JSON, resolving plain scalars with the YAML 1.2 core schema (null, booleans,
/// integers, floats); quoted scalars stay strings.
/// </summary>
internal static partial class YamlToJson
{
    public static JsonNode? Convert(string yaml, string fileName)
    {
        var stream = new YamlStream();
        try
        {
            RefuseAliases(yaml, fileName);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ConfigException($"{fileName}:{ex.Start.Line}:{ex.Start.Column}: invalid YAML: {ex.InnerException?.Message ?? ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed input this way (fuzzing found '[' in a block mapping's key, and
            // input that ends a mapping with an event it cannot take: "The current event is of an unsupported type").
            throw new ConfigException($"{fileName}: invalid YAML: {ex.Message}");
        }

        return stream.Documents.Count == 0 ? new JsonObject() : Convert(stream.Documents[0].RootNode, fileName);
    }

    /// <summary>
    /// Anchors and aliases are refused before anything is built: nested aliases expand exponentially (a few hundred
    /// bytes took 3 GB) and a self-referencing one recurses without end. A configuration never needs them.
    /// </summary>
    private static void RefuseAliases(string yaml, string fileName)
    {
        var parser = new Parser(new StringReader(yaml));
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.AnchorAlias or YamlDotNet.Core.Events.NodeEvent { Anchor.IsEmpty: false })
            {
                throw new ConfigException($"{fileName}:{parser.Current.Start.Line}:{parser.Current.Start.Column}: YAML anchors and aliases are not allowed in the configuration");
            }
        }
    }

    private static JsonNode? Convert(YamlNode node, string fileName) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping, fileName),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(child => Convert(child, fileName))]),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new ConfigException($"{fileName}:{node.Start.Line}: unsupported YAML node ({node.NodeType})"),
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping, string fileName)
    {
        var result = new JsonObject();
        foreach ((YamlNode keyNode, YamlNode valueNode) in mapping.Children)
        {
            string key = keyNode is YamlScalarNode { Value: { } text }
                ? text
                : throw new ConfigException($"{fileName}:{keyNode.Start.Line}: mapping keys must be plain text");
            result[key] = Convert(valueNode, fileName);
        }

        return result;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        string value = scalar.Value ?? string.Empty;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(value);
        }

        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (value is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
