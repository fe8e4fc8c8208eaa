using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;

namespace Sigs.Host.Outputs;

/// <summary>Every output type in the host: each <see cref="IOutputType"/> class, found once, in name order.</summary>
internal static class OutputTypes
{
    public static IReadOnlyList<IOutputType> All { get; } = ExtensionDiscovery.All<IOutputType>();

    /// <summary>The configured outputs; without an <c>outputs:</c> key, findings go to stdout.</summary>
    public static IReadOnlyList<IFindingOutput> Create(IReadOnlyList<OutputOptions>? configured, ILoggerFactory loggerFactory, TimeProvider clock) =>
        [.. OrDefault(configured).Select(options => Filtered(ExtensionDiscovery.TypeOf(All, options).Create(options, loggerFactory, clock), options))];

    /// <summary>The outputs findings go to: the configured ones, or stdout.</summary>
    public static IReadOnlyList<OutputOptions> OrDefault(IReadOnlyList<OutputOptions>? configured) => configured ?? [new StdoutOutputOptions()];

    private static IFindingOutput Filtered(IFindingOutput output, OutputOptions options) =>
        options.Minimum() is { } minimum ? new MinSeverityOutput(output, minimum) : output;
}
