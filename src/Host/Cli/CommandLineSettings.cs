using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Outputs;

namespace Sigs.Host.Cli;

/// <summary>
/// What the command line changes in the configuration: <c>--enable</c> and <c>--disable</c> add to
/// <c>select:</c>, <c>--min-severity</c> raises every output's <c>minSeverity</c> to it (an output configured stricter
/// keeps its own: a pager that takes only critical findings stays so), and replay's <c>--format</c> sets the
/// stdout output's <c>format</c>. A replay whose stdout is a terminal shows text unless a format was chosen.
/// </summary>
internal static class CommandLineSettings
{
    public static SigsConfig Apply(SigsConfig config, IReadOnlyList<string> enable, IReadOnlyList<string> disable, string? minSeverity, string? format, bool replayToTerminal)
    {
        minSeverity = minSeverity?.ToLowerInvariant();
        if (minSeverity is not null && !OutputOptions.Severities.Contains(minSeverity))
        {
            throw new UsageException($"--min-severity '{minSeverity}' is not one of {string.Join(", ", OutputOptions.Severities)}");
        }

        format = format?.ToLowerInvariant();
        if (format is not (null or FindingLines.TextName or FindingLines.JsonName))
        {
            throw new UsageException($"--format '{format}' is not text or json");
        }

        string? stdoutFormat = format ?? (replayToTerminal ? FindingLines.TextName : null);
        IReadOnlyList<OutputOptions>? outputs = config.Outputs;
        if (stdoutFormat is not null || minSeverity is not null)
        {
            outputs = [.. OutputTypes.OrDefault(config.Outputs)
                .Select(o => o is StdoutOutputOptions stdout && stdoutFormat is not null && (format is not null || stdout.Format is null) ? stdout with { Format = stdoutFormat } : o)
                .Select(o => minSeverity is null || o.Minimum() >= Enum.Parse<Plugins.Severity>(minSeverity, ignoreCase: true) ? o : o with { MinSeverity = minSeverity })];
        }

        return config with
        {
            Outputs = outputs,
            Select = config.Select with { Enable = [.. config.Select.Enable, .. enable], Disable = [.. config.Select.Disable, .. disable] },
        };
    }
}
