using System.Text;
using Sigs.Host.Contract;
using Sigs.Host.Engine;
using Sigs.Plugins;

namespace Sigs.Host.Outputs;

/// <summary>
/// A finding as one line of text, as Falco prints an alert: the event's time, the severity, the signature's id and
/// name, then the event as <see cref="CompactEvent"/> writes it (source and name, host or pod and container, the
/// process and its command line, the file or the API request). Every value from the event or the rule is escaped
/// (<see cref="CompactEvent.Escaped"/>), so a crafted argument can neither split the line, nor send a terminal
/// escape sequence, nor close its quotes to fake fields; with <c>colour</c>, only the severity is coloured.
/// </summary>
internal static class FindingText
{
    private const string Reset = "\u001b[0m";

    public static string Format(Finding finding, bool colour)
    {
        SignatureMetadata signature = finding.Signature;
        string severity = Name(signature.Severity);
        var line = new StringBuilder(256);
        line.Append(CompactEvent.Time(finding.Time)).Append(' ');
        line.Append(colour ? $"{Colour(signature.Severity)}{severity}{Reset}" : severity).Append(' ', Math.Max(1, 9 - severity.Length));
        line.Append(CompactEvent.Escaped(signature.Id)).Append(' ').Append(CompactEvent.Escaped(signature.Name)).Append(": ").Append(CompactEvent.Describe(finding.Event));
        return line.ToString();
    }

    /// <summary>The severity as the line names it: Info, Low, Medium, High, Critical.</summary>
    public static string Name(Severity severity) => severity.ToString();

    private static string Colour(Severity severity) => severity switch
    {
        Severity.Critical => "\u001b[1;31m",
        Severity.High => "\u001b[31m",
        Severity.Medium => "\u001b[33m",
        Severity.Low => "\u001b[36m",
        _ => "\u001b[2m",
    };
}
