using System.Text;
using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>How an output writes each finding: its JSON document (finding.schema.json) or one line of text.</summary>
internal enum FindingFormat
{
    Json,
    Text,
}

/// <summary>The bytes of one finding's line in a format.</summary>
internal static class FindingLines
{
    /// <summary>The values a <c>format</c> key takes.</summary>
    public const string JsonName = "json";

    public const string TextName = "text";

    public static FindingFormat Parse(string? name) => name == TextName ? FindingFormat.Text : FindingFormat.Json;

    /// <summary>The finding's line without its newline: <paramref name="json"/> itself, or its text line.</summary>
    public static ReadOnlyMemory<byte> Of(FindingFormat format, Finding finding, ReadOnlyMemory<byte> json, bool colour = false) =>
        format == FindingFormat.Json ? json : Encoding.UTF8.GetBytes(FindingText.Format(finding, colour));

    /// <summary>True when lines for this writer may be coloured: a terminal, no <c>NO_COLOR</c> (no-color.org), no <c>TERM=dumb</c>.</summary>
    public static bool MayColour(bool redirected) =>
        !redirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") != "dumb";
}
