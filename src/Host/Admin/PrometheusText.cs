using System.Globalization;
using System.Text;

namespace Sigs.Host.Admin;

/// <summary>Writes the Prometheus text exposition format (version 0.0.4).</summary>
internal sealed class PrometheusText
{
    private readonly StringBuilder _text = new();

    public PrometheusText Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public PrometheusText Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                _text.Append(i == 0 ? string.Empty : ",").Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
