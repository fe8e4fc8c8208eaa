using System.Globalization;
using System.Text.RegularExpressions;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>The samples of a Prometheus text exposition, for asserting on /metrics whatever the label order or extra labels.</summary>
internal sealed partial class PrometheusSamples
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public PrometheusSamples(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            Match sample = SampleLine().Match(line);
            if (!sample.Success)
            {
                continue;
            }

            var labels = LabelPair().Matches(sample.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["key"].Value, m => Regex.Unescape(m.Groups["value"].Value), StringComparer.Ordinal);
            _samples.Add((sample.Groups["name"].Value, labels, double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>The value of the one sample of <paramref name="name"/> that has (at least) these labels, or null.</summary>
    public double? Value(string name, params (string Key, string Value)[] labels)
    {
        var matching = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).ToList();
        return matching.Count switch
        {
            0 => null,
            1 => matching[0].Value,
            _ => throw new InvalidOperationException($"{matching.Count} samples of {name} have the labels {string.Join(",", labels)}"),
        };
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>[^ ]+)( \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex LabelPair();
}
