using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;

namespace Sigs.Host.Outputs;

/// <summary>Every output type in the host: each <see cref="IOutputType"/> class, found once, in name order.</summary>
internal static class OutputTypes
{
    public static IReadOnlyList<IOutputType> All { get; } = ExtensionDiscovery.All<IOutputType>();

    /// <summary>The configured outputs; without an <c>outputs:</c> key, findings go to stdout.</summary>
    public static IReadOnlyList<IFindingOutput> Create(IReadOnlyList<OutputOptions>? configured, ILoggerFactory loggerFactory, TimeProvider clock) =>
        [.. (configured ?? [new StdoutOutputOptions()]).Select(options => ExtensionDiscovery.TypeOf(All, options).Create(options, loggerFactory, clock))];
}
