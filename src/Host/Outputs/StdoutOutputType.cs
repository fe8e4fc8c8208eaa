using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;

namespace Sigs.Host.Outputs;

/// <summary>The keys of the <c>stdout</c> output.</summary>
internal sealed record StdoutOutputOptions : OutputOptions
{
    [Description("json: one finding.schema.json document per line (the default); text: one readable line per finding, its severity coloured on a terminal unless NO_COLOR is set.")]
    [AllowedValues(FindingLines.JsonName, FindingLines.TextName)]
    public string? Format { get; init; }
}

/// <summary><c>type: stdout</c>: one line per finding on standard output.</summary>
internal sealed class StdoutOutputType : OutputType<StdoutOutputOptions>
{
    public override string Name => "stdout";

    public override string Summary => "One line per finding on standard output, JSON or text (the default output).";

    protected override IFindingOutput Create(StdoutOutputOptions options, ILoggerFactory loggerFactory, TimeProvider clock) =>
        new StandardOutput(clock, FindingLines.Parse(options.Format), FindingLines.MayColour(Console.IsOutputRedirected));
}
