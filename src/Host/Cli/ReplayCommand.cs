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
    public static async Task<int> RunAsync(IReadOnlyList<string> inputs, DetectionPipeline runtime, ILoggerFactory loggerFactory, TextWriter summary, CancellationToken cancellationToken)
    {
        var counters = new InputCounters();
        var source = new JsonLinesSource(loggerFactory.CreateLogger(LogCategories.Replay), counters);
        DateTimeOffset latest = DateTimeOffset.MinValue;
        foreach (string input in inputs)
        {
            await using Stream stream = input == "-" ? Console.OpenStandardInput() : OpenInput(input);
            await source.ReadAsync(stream, input == "-" ? "stdin" : input, securityEvent =>
            {
                runtime.Process(securityEvent);
                latest = securityEvent.Time > latest ? securityEvent.Time : latest;
                return ValueTask.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
        }

        runtime.Engine.Signal(new Signal(SignalKind.EndOfInput, latest == DateTimeOffset.MinValue ? runtime.Clock.GetUtcNow() : latest));
        await summary.WriteLineAsync(Summary(counters, runtime)).ConfigureAwait(false);
        return 0;
    }

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
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, useAsync: true);
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
        return $"replay: {counters.TotalEvents} events ({formats}), {counters.SkippedLines} lines skipped{parts}; " +
            $"{totalFindings} findings ({(findings.Length == 0 ? "no signatures loaded" : findings)})";
    }
}
