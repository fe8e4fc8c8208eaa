using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Rules;

/// <summary>
/// Reads a Sigma file's YAML documents (one or several, separated by <c>---</c>), bounded: at most
/// <see cref="MaxBytes"/>, <see cref="MaxNodes"/> nodes and <see cref="MaxDepth"/> levels, and no anchors or
/// aliases (nested aliases expand exponentially; a rule never needs them). What is refused says where and why.
/// </summary>
internal static class SigmaDocuments
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxNodes = 100_000;
    public const int MaxDepth = 32;

    public static IReadOnlyList<YamlMappingNode> Read(string yaml, string file)
    {
        if (yaml.Length > MaxBytes)
        {
            throw new RuleException($"{file}: larger than {MaxBytes} bytes");
        }

        try
        {
            Check(yaml, file);
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            return [.. stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }).Select(d => d.RootNode as YamlMappingNode
                ?? throw RuleException.At(file, d.RootNode.Start, "a rule is a YAML mapping"))];
        }
        catch (YamlException ex)
        {
            throw new RuleException($"{file}:{ex.Start.Line}: invalid YAML: {ex.InnerException?.Message ?? ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            throw new RuleException($"{file}: invalid YAML: {ex.Message}");
        }
    }

    /// <summary>Walks the parser's events before anything is built: aliases, depth and size are refused here.</summary>
    private static void Check(string yaml, string file)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0, nodes = 0;
        while (parser.MoveNext())
        {
            ParsingEvent current = parser.Current!;
            if (current is AnchorAlias or NodeEvent { Anchor.IsEmpty: false })
            {
                throw RuleException.At(file, current.Start, "YAML anchors and aliases are not allowed in rules");
            }

            if (current is NodeEvent && ++nodes > MaxNodes)
            {
                throw RuleException.At(file, current.Start, $"more than {MaxNodes} YAML nodes");
            }

            depth += current switch
            {
                MappingStart or SequenceStart => 1,
                MappingEnd or SequenceEnd => -1,
                _ => 0,
            };
            if (depth > MaxDepth)
            {
                throw RuleException.At(file, current.Start, $"nested deeper than {MaxDepth} levels");
            }
        }
    }
}
