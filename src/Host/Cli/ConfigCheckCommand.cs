using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Cli;

/// <summary>
/// <c>sigs config check</c>: a dry run of what <c>sigs run</c> loads. The configuration has already passed its
/// schema (else the command stopped with exit 2); this checks what the schema cannot: feed names, each feed made
/// as run would make it (without reading it), the admin token, and the plugins, rules, signature settings and
/// enable or disable values loaded as run loads them. One line per problem, then a summary; exit 1 on any.
/// </summary>
internal static class ConfigCheckCommand
{
    public static int Run(SigsConfig config, string pluginFolder, IReadOnlyList<string> rules, IReadOnlyList<FeedOptions> feeds, ILoggerFactory loggerFactory, TextWriter output, TimeProvider clock)
    {
        var problems = new List<string>();
        Check(problems, "feeds", () => FeedNames.Of(feeds));
        if (config.Admin.Enabled)
        {
            Check(problems, "admin", () => LoopbackWebApp.ParseListen(config.Admin.Listen, "admin.listen", AdminConfig.DefaultListen));
            Check(problems, "admin", () => WebAccess.FromTokenFile(config.Admin.BearerTokenFile, "admin.bearerTokenFile", config.Admin.Tls, "admin.tls"));
        }

        int signatures = 0;
        try
        {
            using var pipeline = new DetectionPipeline(config, new PipelineSignatures.Folder(pluginFolder, rules, feeds), [], loggerFactory, clock);
            signatures = pipeline.Engine.Index.Runners.Count;
            problems.AddRange(pipeline.LoadProblems);
            var context = new FeedContext(loggerFactory, ReconnectDelays.Default, pipeline.WatchPlan, clock, pipeline.Demands);
            for (int i = 0; i < feeds.Count; i++)
            {
                FeedOptions feed = feeds[i];
                Check(problems, $"feeds[{i}] ({FeedTypes.Of(feed).Name})", () => FeedFactory.Create(feed, context));
            }
        }
        catch (Exception ex) when (ex is ConfigException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            problems.Add(ex.Message);
        }

        foreach (string problem in problems)
        {
            output.WriteLine(problem);
        }

        output.WriteLine(problems.Count == 0
            ? $"config check: ok: {signatures} signatures, {feeds.Count} feeds, {OutputTypesCount(config)} outputs"
            : $"config check: {problems.Count} {(problems.Count == 1 ? "problem" : "problems")} ({signatures} signatures would run)");
        return problems.Count == 0 ? 0 : 1;
    }

    private static int OutputTypesCount(SigsConfig config) => Outputs.OutputTypes.OrDefault(config.Outputs).Count;

    /// <summary>Runs one check; what it throws for a configuration that cannot work becomes a problem line.</summary>
    private static void Check(List<string> problems, string place, Action check)
    {
        try
        {
            check();
        }
        catch (Exception ex) when (ex is UsageException or ConfigException or IOException or UnauthorizedAccessException or InvalidOperationException or PlatformNotSupportedException or ArgumentException)
        {
            problems.Add(ex.Message.StartsWith(place, StringComparison.Ordinal) ? ex.Message : $"{place}: {ex.Message}");
        }
    }
}
