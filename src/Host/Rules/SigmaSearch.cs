using Sigs.Plugins;
using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Rules;

/// <summary>
/// A search identifier compiled: a map is the conjunction of its field conditions, a list of maps their
/// disjunction. It keeps the fields it reads, so a finding can say which values matched.
/// </summary>
internal sealed class SigmaSearch
{
    private readonly Func<SecurityEvent, bool>[][] _alternatives;

    private SigmaSearch(string name, Func<SecurityEvent, bool>[][] alternatives, IReadOnlyList<(string Field, FieldReader Reader)> fields, RuleGate gate)
    {
        Name = name;
        _alternatives = alternatives;
        Fields = fields;
        Gate = gate;
    }

    /// <summary>What the event has whenever the search matches (<see cref="RuleGate"/>).</summary>
    public RuleGate Gate { get; }

    public string Name { get; }

    /// <summary>The fields its conditions read, each once.</summary>
    public IReadOnlyList<(string Field, FieldReader Reader)> Fields { get; }

    public bool Matches(SecurityEvent securityEvent)
    {
        foreach (Func<SecurityEvent, bool>[] conjunction in _alternatives)
        {
            bool all = true;
            foreach (Func<SecurityEvent, bool> condition in conjunction)
            {
                if (!condition(securityEvent))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }

    public static SigmaSearch Compile(string name, YamlNode node, SigmaFieldCompiler fields, string file)
    {
        YamlMappingNode[] maps = node switch
        {
            YamlMappingNode map => [map],
            YamlSequenceNode list when list.Children.Count > 0 && list.Children.All(c => c is YamlMappingNode) => [.. list.Children.Cast<YamlMappingNode>()],
            YamlSequenceNode or YamlScalarNode => throw RuleException.At(file, node.Start, $"search '{name}' is a keyword search (values without a field), which Sigs does not run: name the field"),
            _ => throw RuleException.At(file, node.Start, $"search '{name}' must be a map of fields or a list of such maps"),
        };
        if (maps.Any(m => m.Children.Count == 0))
        {
            throw RuleException.At(file, node.Start, $"search '{name}' has an empty map of fields");
        }

        var read = new List<(string, FieldReader)>();
        var alternatives = new Func<SecurityEvent, bool>[maps.Length][];
        var gates = new RuleGate[maps.Length];
        for (int i = 0; i < maps.Length; i++)
        {
            var conjunction = new List<RuleGate>();
            alternatives[i] = [.. maps[i].Children.Select(child =>
            {
                (string field, FieldReader reader, Func<SecurityEvent, bool> test, RuleGate gate) = fields.Compile(
                    child.Key as YamlScalarNode ?? throw RuleException.At(file, child.Key.Start, "a field name must be text"), child.Value);
                if (!read.Any(r => r.Item1 == field))
                {
                    read.Add((field, reader));
                }

                conjunction.Add(gate);
                return test;
            })];
            gates[i] = RuleGate.All(conjunction);
        }

        return new SigmaSearch(name, alternatives, read, RuleGate.Any(gates));
    }
}
