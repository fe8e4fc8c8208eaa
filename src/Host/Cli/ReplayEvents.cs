using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Host.Enrichment;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Host.Cli;

/// <summary>
/// <c>sigs replay --events</c>: what Sigs made of each input line, without signatures. Every event as signatures get
/// it (decoded, then given the facts of its process's exec, argv capped), as a contract JSON line or one compact text
/// line; every skipped line or item as <c># FILE:LINE: skipped: REASON</c>, in input order.
/// </summary>
internal static class ReplayEvents
{
    public static async Task<int> RunAsync(IReadOnlyList<string> inputs, bool compact, TextWriter output, TextWriter summary, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var counters = new InputCounters();
        var source = new JsonLinesSource(
            loggerFactory.CreateLogger(LogCategories.Replay),
            counters,
            onSkipped: (file, line, reason) => output.WriteLine($"# {file}:{line}: skipped: {reason}"));
        var processes = new ProcessTable(DetectionPipeline.ProcessTableCapacity);
        ValueTask Print(SecurityEvent decoded)
        {
            SecurityEvent e = processes.Enrich(decoded);
            output.WriteLine(compact ? CompactEvent.Format(e) : JsonSerializer.Serialize(e, ContractJson.Event));
            return ValueTask.CompletedTask;
        }

        foreach (string input in inputs)
        {
            await using Stream stream = ReplayCommand.Open(input);
            await source.ReadAsync(stream, ReplayCommand.DisplayName(input), Print, cancellationToken).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        await summary.WriteLineAsync($"replay --events: {counters.TotalEvents} events, {counters.SkippedLines} lines skipped, {counters.SkippedParts} items of kept lines skipped").ConfigureAwait(false);
        return 0;
    }
}
