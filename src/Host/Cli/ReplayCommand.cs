using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Host.Cli;

/// <summary><c>sigs replay</c>: runs event files through the signatures, in file order, and prints the findings.</summary>
internal static class ReplayCommand
{
    /// <summary>
    /// Starts reading and decoding the first input at once, so that its first lines are decoded while the
    /// signatures load; <see cref="RunAsync"/> hands them on.
    /// </summary>
    public static ReplayInput Start(IReadOnlyList<string> inputs, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var counters = new InputCounters();
        var source = new JsonLinesSource(loggerFactory.CreateLogger(LogCategories.Replay), counters);
        Stream? first = inputs.Count == 0 ? null : Open(inputs[0]);
        return new ReplayInput(inputs, source, counters, first, first is null ? null : source.Decode(first, cancellationToken));
    }

    /// <summary>
    /// Runs the inputs through the engine loop as <c>sigs run</c> does (one engine thread, its watchdog and
    /// isolation), without ticks: replay's time is its events'. Then the end of input, isolated signatures' queues
    /// drained, and every finding written before the summary.
    /// </summary>
    /// <param name="strict">Exit 1 when anything configured did not load (<see cref="DetectionPipeline.LoadProblems"/>).</param>
    public static async Task<int> RunAsync(ReplayInput input, DetectionPipeline runtime, bool quiet, bool strict, TextWriter summary, ILogger logger, CancellationToken cancellationToken)
    {
        using ReplayProgress? progress = ReplayProgress.Start(input.Inputs, input.Counters, () => runtime.Findings.Published, quiet, summary, runtime.Clock);
        using var loop = new Engine.EngineLoop(runtime.Engine, runtime.Process, runtime.Clock, TimeSpan.FromMilliseconds(runtime.Config.Engine.StallMilliseconds), logger, ticks: false);
        loop.Start();
        DateTimeOffset latest = DateTimeOffset.MinValue;
        ValueTask OnEvent(SecurityEvent securityEvent)
        {
            latest = securityEvent.Time > latest ? securityEvent.Time : latest;
            return loop.Queue.PublishAsync(securityEvent, cancellationToken);
        }

        for (int i = 0; i < input.Inputs.Count; i++)
        {
            await using Stream stream = i == 0 ? input.FirstStream! : Open(input.Inputs[i]);
            DecodingInput decoding = i == 0 ? input.FirstDecoding! : input.Source.Decode(stream, cancellationToken);
            await input.Source.HandOnAsync(decoding, DisplayName(input.Inputs[i]), OnEvent, cancellationToken).ConfigureAwait(false);
        }

        await loop.CompleteAsync(TimeSpan.MaxValue).ConfigureAwait(false);
        await runtime.EndInputAsync(latest == DateTimeOffset.MinValue ? runtime.Clock.GetUtcNow() : latest, TimeSpan.FromSeconds(runtime.Config.Shutdown.DrainSeconds)).ConfigureAwait(false);
        await runtime.Findings.FlushAsync(cancellationToken).ConfigureAwait(false); // replay prints every finding, however long its outputs take
        progress?.Dispose();
        await summary.WriteLineAsync(Summary(input.Counters, runtime)).ConfigureAwait(false);
        return strict && runtime.StrictProblems.Count > 0 ? 1 : 0;
    }

    public static Stream Open(string input) => input == "-" ? Console.OpenStandardInput() : OpenInput(input);

    public static string DisplayName(string input) => input == "-" ? "stdin" : input;

    /// <summary>Files as given; a folder becomes its *.json and *.jsonl files in name order. Missing or unreadable input is fatal.</summary>
    public static IReadOnlyList<string> ExpandInputs(IReadOnlyList<string> arguments)
    {
        if (arguments.Count == 0)
        {
            throw new UsageException("replay needs at least one FILE, DIR or '-'; see 'sigs replay --help'");
        }

        var inputs = new List<string>();
        foreach (string argument in arguments)
        {
            if (argument == "-" || File.Exists(argument))
            {
                inputs.Add(argument);
            }
            else if (Directory.Exists(argument))
            {
                inputs.AddRange(Directory.EnumerateFiles(argument)
                    .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".jsonl", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                throw new FileNotFoundException($"input '{argument}' does not exist");
            }
        }

        // Every input is checked before the first is read, so an unreadable one fails at once, before any output.
        foreach (string input in inputs.Where(i => i != "-"))
        {
            OpenInput(input).Dispose();
        }

        return inputs;
    }

    private static FileStream OpenInput(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, useAsync: false); // read by the decoding task, which may block
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"input '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    public static string Summary(InputCounters counters, DetectionPipeline runtime)
    {
        string formats = string.Join(", ", Enum.GetValues<InputFormat>().Select(f => $"{f.ToDisplayName()}={counters.Events(f)}"));
        var runners = runtime.Engine.Index.Runners;
        string findings = string.Join(", ", runners.Select(r => $"{r.Metadata.Id}={r.Findings}"));
        long totalFindings = runners.Sum(r => r.Findings);
        string parts = counters.SkippedParts == 0 ? string.Empty : $", {counters.SkippedParts} items of kept lines skipped";
        int problems = runtime.LoadProblems.Count;
        string refused = problems == 0 ? string.Empty : $"; {problems} not loaded as configured (each logged above; --strict exits 1)";
        return $"replay: {counters.TotalEvents} events ({formats}), {counters.SkippedLines} lines skipped{parts}; " +
            $"{totalFindings} findings ({(findings.Length == 0 ? "no signatures loaded" : findings)}){refused}";
    }
}

/// <summary>What <c>sigs replay</c> reads: its inputs, the first already being decoded (disposing stops that, if it was not read).</summary>
internal sealed record ReplayInput(IReadOnlyList<string> Inputs, JsonLinesSource Source, InputCounters Counters, Stream? FirstStream, DecodingInput? FirstDecoding) : IDisposable
{
    public void Dispose()
    {
        FirstDecoding?.Dispose();
        FirstStream?.Dispose();
    }
}
