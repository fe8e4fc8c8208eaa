using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;

namespace Sigs.Host.Outputs;

/// <summary>The <c>stdout</c> output takes no keys.</summary>
internal sealed record StdoutOutputOptions : OutputOptions;

/// <summary><c>type: stdout</c>: one JSON line per finding on standard output.</summary>
internal sealed class StdoutOutputType : OutputType<StdoutOutputOptions>
{
    public override string Name => "stdout";

    public override string Summary => "One JSON line per finding on standard output (the default).";

    protected override IFindingOutput Create(StdoutOutputOptions options, ILoggerFactory loggerFactory, TimeProvider clock) => new StandardOutput(clock);
}
