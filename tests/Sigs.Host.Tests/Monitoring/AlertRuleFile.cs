using YamlDotNet.RepresentationModel;

namespace Sigs.Host.Tests.Monitoring;

/// <summary>The alert rules of a Prometheus rule file (<c>groups: [{name, rules: [{alert, expr, ...}]}]</c>).</summary>
internal static class AlertRuleFile
{
    public sealed record Rule(string Group, string Alert, string Expr);

    public static IReadOnlyList<Rule> Read(string path) => Rules(Load(path));

    /// <summary>The rules under a <c>groups:</c> node, wherever it sits (a rule file's root, a PrometheusRule's spec).</summary>
    public static IReadOnlyList<Rule> Rules(YamlMappingNode holder) =>
    [
        .. ((YamlSequenceNode)holder["groups"]).Children.Cast<YamlMappingNode>().SelectMany(group =>
            ((YamlSequenceNode)group["rules"]).Children.Cast<YamlMappingNode>().Select(rule =>
                new Rule(Scalar(group, "name"), Scalar(rule, "alert"), Scalar(rule, "expr")))),
    ];

    public static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
