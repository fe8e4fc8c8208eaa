using System.Text.Json;
using Sigs.Host.Configuration;
using Sigs.Host.Contract;
using Sigs.Host.Engine;
using Sigs.Host.Feeds;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Cli;

/// <summary>
/// <c>sigs list</c>: the loaded signatures in a table that fits 100 columns (names and events cut with '…'); with
/// <c>--wide</c>, also each plugin's file, its SHA-256, and the pin <c>plugins.trusted</c> takes for the plugin: the
/// content hash over every file its load context may load (listed with <c>--json</c>).
/// Then, for each configured feed whose events lack a fact some signatures need (Tetragon's terminal where /proc
/// cannot fill it), one line naming the feed, the fact, why, and the signatures that cannot fire on it.
/// </summary>
internal static class ListCommand
{
    /// <summary>The width the table fits without <c>--wide</c>.</summary>
    public const int Columns = 100;

    public static int Run(bool json, bool wide, DetectionPipeline runtime, TextWriter output)
    {
        IReadOnlyList<SignatureRunner> runners = runtime.Engine.Index.Runners;
        IReadOnlyList<FeedGap> gaps = Gaps(runtime);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(runners.Select(r => Describe(r, gaps)), ContractJson.Options));
            return 0;
        }

        string[] header = wide
            ? ["ID", "VERSION", "SEVERITY", "NAME", "EVENTS", "PLUGIN", "FILE", "SHA256", "PIN (CONTENT SHA256)"]
            : ["ID", "VERSION", "SEVERITY", "NAME", "EVENTS", "PLUGIN"];
        string[][] rows = [header, .. runners.Select(r => new[]
        {
            Contract.CompactEvent.Escaped(r.Metadata.Id),
            Contract.CompactEvent.Escaped(r.Metadata.Version),
            r.Metadata.Severity.ToString().ToLowerInvariant(),
            Contract.CompactEvent.Escaped(r.Metadata.Name), // a rule pack's title may hold anything
            string.Join(",", r.Selectors.Select(Selector)),
            r.Plugin.Name,
            r.Plugin.AssemblyPath,
            r.Plugin.Sha256,
            $"{r.Plugin.ContentSha256} ({r.Plugin.Files.Count} {(r.Plugin.Files.Count == 1 ? "file" : "files")})",
        }[..header.Length])];
        int[] widths = [.. Enumerable.Range(0, header.Length).Select(column => rows.Max(row => row[column].Length))];
        if (!wide)
        {
            Fit(widths, shrinkable: [3, 4, 5]);
        }

        foreach (string[] row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, column) => Cell(cell, widths[column], last: column == row.Length - 1))).TrimEnd());
        }

        foreach (FeedGap gap in gaps.Where(g => g.CannotFire.Count > 0))
        {
            output.WriteLine($"{gap.Feed} lacks {string.Join(", ", gap.Missing.Facts)} ({gap.Missing.Why}): cannot fire on it: {string.Join(", ", gap.CannotFire)}");
        }

        return 0;
    }

    /// <summary>Narrows the widest of the <paramref name="shrinkable"/> columns, one character at a time, until the row fits <see cref="Columns"/>.</summary>
    private static void Fit(int[] widths, int[] shrinkable)
    {
        const int Narrowest = 8;
        while (widths.Sum() + (2 * (widths.Length - 1)) > Columns
            && shrinkable.Where(c => widths[c] > Narrowest).OrderByDescending(c => widths[c]).FirstOrDefault(-1) is var widest and >= 0)
        {
            widths[widest]--;
        }
    }

    /// <summary>A cell padded to its column, or cut with '…' when longer.</summary>
    private static string Cell(string text, int width, bool last) =>
        text.Length > width ? string.Concat(text.AsSpan(0, width - 1), "…") : last ? text : text.PadRight(width);

    /// <summary>Each configured feed that lacks facts, with the signatures that need them.</summary>
    private static IReadOnlyList<FeedGap> Gaps(DetectionPipeline runtime)
    {
        IReadOnlyList<SignatureDemand> demands = runtime.Demands();
        var gaps = new List<FeedGap>();
        for (int i = 0; i < runtime.Config.Feeds.Count; i++)
        {
            FeedOptions options = runtime.Config.Feeds[i];
            IFeedType type = FeedTypes.Of(options);
            if (type.Missing(options) is { } missing)
            {
                gaps.Add(new FeedGap($"feeds[{i}] ({type.Name})", missing, missing.CannotFire(demands)));
            }
        }

        return gaps;
    }

    private static string Selector(Plugins.EventSelector selector) =>
        selector.Source == Plugins.EventSelector.Any && selector.Origin == Plugins.EventSelector.Any
            ? selector.Name
            : $"{selector.Name}[source={selector.Source},origin={selector.Origin}]";

    private static object Describe(SignatureRunner runner, IReadOnlyList<FeedGap> gaps) => new
    {
        runner.Metadata.Id,
        runner.Metadata.Name,
        runner.Metadata.Version,
        runner.Metadata.EventName,
        runner.Metadata.Severity,
        runner.Metadata.Description,
        runner.Metadata.Tactics,
        runner.Metadata.Techniques,
        Selectors = runner.Selectors,
        runner.FilePatterns,
        runner.RequiredFacts,
        CannotFireOn = gaps.Where(g => g.CannotFire.Contains(runner.Metadata.Id)).Select(g => new { g.Feed, g.Missing.Facts, g.Missing.Why }),
        Plugin = new
        {
            runner.Plugin.Name,
            File = runner.Plugin.AssemblyPath,
            runner.Plugin.Sha256,
            Pin = new { Sha256 = runner.Plugin.ContentSha256, runner.Plugin.Files },
        },
    };

    private sealed record FeedGap(string Feed, MissingFacts Missing, IReadOnlyList<string> CannotFire);
}
