using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Loading;
using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Host.Cli;

/// <summary>
/// <c>sigs check PATH</c>: validates a built plugin without running the host. It loads the plugin as the host
/// would (SDK compatibility, signatures found, constructors and Init, configuration schema), checks each
/// signature's metadata, and checks that its ids are not taken by another plugin in the plugin folder. A Sigma
/// rule file or folder is loaded as <c>sigs run</c> loads rules, each refusal on its own line.
/// </summary>
internal static partial class CheckCommand
{
    public static int Run(IReadOnlyList<string> arguments, SigsConfig config, string pluginFolder, TextWriter output, TimeProvider clock)
    {
        if (arguments.Count != 1)
        {
            throw new UsageException("check needs one PATH: a plugin DLL or the folder it was built into, or a Sigma rule file or folder; see 'sigs check --help'");
        }

        string path = Path.GetFullPath(arguments[0]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"'{arguments[0]}' does not exist");
        }

        if (IsRules(path))
        {
            return CheckRules(path, config, output);
        }

        var logs = new RefusalCollector();
        using var loggerFactory = new RefusalCollectorFactory(logs);
        SigsConfig relaxed = Relaxed(config);
        using var pipeline = new DetectionPipeline(relaxed, new PipelineSignatures.OnePlugin(path), [], loggerFactory, clock);
        IReadOnlyList<SignatureRunner> runners = pipeline.Engine.Index.Runners;
        var problems = new List<string>(logs.Lines);
        if (runners.Count > 0)
        {
            foreach (SignatureRunner runner in runners)
            {
                problems.AddRange(MetadataProblems(runner.Metadata).Select(problem => $"signature {runner.Metadata.Id}: {problem}"));
            }

            problems.AddRange(IdCollisions(runners, pluginFolder, relaxed, clock));
            if (problems.Count == 0)
            {
                output.WriteLine($"{path}: OK: {runners.Count} signature(s): {string.Join(", ", runners.Select(r => $"{r.Metadata.Id} v{r.Metadata.Version}"))}; sha256 {runners[0].Plugin.Sha256}");
                return 0;
            }
        }

        foreach (string problem in problems.Distinct())
        {
            output.WriteLine($"{path}: {problem}");
        }

        return 1;
    }

    /// <summary>A .yml or .yaml file, or a folder holding such files and no plugin DLL.</summary>
    private static bool IsRules(string path) => File.Exists(path)
        ? Rules.RuleSet.IsRuleFile(path)
        : !Directory.EnumerateFiles(path, "*.dll").Any() && Rules.RuleSet.FilesUnder(path).Any();

    /// <summary>Loads Sigma rules as <c>sigs run</c> would: each refusal on a line naming the file, the line and the reason.</summary>
    private static int CheckRules(string path, SigsConfig config, TextWriter output)
    {
        Rules.RuleSet rules = Rules.RuleSet.Load([path], config.Rules.Placeholders);
        foreach (string refusal in rules.Refusals)
        {
            output.WriteLine(refusal);
        }

        Plugins.Signature[] loaded = [.. rules.Files.SelectMany(f => f.Signatures)];
        output.WriteLine($"{path}: {(rules.Refusals.Count == 0 ? "OK" : "refused some")}: {rules.Refusals.Count} refused, {loaded.Length} rule(s) loaded{(loaded.Length == 0 ? string.Empty : ": " + string.Join(", ", loaded.Select(s => s.Metadata.Id)))}");
        return rules.Refusals.Count == 0 && loaded.Length > 0 ? 0 : 1;
    }

    /// <summary>A plugin is checked wherever it was built: its owner and modes, and the pins, are the installer's business.</summary>
    private static SigsConfig Relaxed(SigsConfig config) =>
        config with { Plugins = config.Plugins with { AllowInsecurePermissions = true, Trusted = null } };

    /// <summary>What is missing or malformed in a signature's metadata, one entry per problem.</summary>
    public static IEnumerable<string> MetadataProblems(SignatureMetadata metadata)
    {
        if (!SignatureId().IsMatch(metadata.Id))
        {
            yield return $"id '{metadata.Id}' must be letters, digits, '.', '_' or '-' (for example ACME-0001)";
        }

        foreach ((string field, string? value) in new[] { ("name", metadata.Name), ("version", metadata.Version), ("eventName", metadata.EventName), ("description", metadata.Description) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return $"metadata {field} is empty";
            }
        }

        if (!Enum.IsDefined(metadata.Severity))
        {
            yield return $"severity {(int)metadata.Severity} is not one of info, low, medium, high, critical";
        }

        foreach (string tactic in metadata.Tactics.Where(t => !MitreTactic().IsMatch(t)))
        {
            yield return $"MITRE tactic '{tactic}' is not a tactic id like TA0006";
        }

        foreach (string technique in metadata.Techniques.Where(t => !MitreTechnique().IsMatch(t)))
        {
            yield return $"MITRE technique '{technique}' is not a technique id like T1552 or T1552.001";
        }
    }

    /// <summary>Ids of the checked plugin that another plugin in the plugin folder already uses.</summary>
    private static IEnumerable<string> IdCollisions(IReadOnlyList<SignatureRunner> checkedRunners, string pluginFolder, SigsConfig config, TimeProvider clock)
    {
        if (!Directory.Exists(pluginFolder))
        {
            yield break;
        }

        string checkedPath = checkedRunners[0].Plugin.AssemblyPath;
        var others = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in PluginLoader.Entries(pluginFolder))
        {
            if (Path.GetFileName(entry) == Path.GetFileNameWithoutExtension(checkedPath) || entry == checkedPath)
            {
                continue; // the same plugin, installed: replacing it is fine
            }

            using var other = new DetectionPipeline(config, new PipelineSignatures.OnePlugin(entry), [], NullLoggerFactory.Instance, clock);
            foreach (SignatureRunner runner in other.Engine.Index.Runners)
            {
                others.TryAdd(runner.Metadata.Id, runner.Plugin.AssemblyPath);
            }
        }

        foreach (SignatureRunner runner in checkedRunners.Where(r => others.ContainsKey(r.Metadata.Id)))
        {
            yield return $"signature id {runner.Metadata.Id} is already used by {others[runner.Metadata.Id]} in the plugin folder";
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex SignatureId();

    [GeneratedRegex("^TA[0-9]{4}$")]
    private static partial Regex MitreTactic();

    [GeneratedRegex(@"^T[0-9]{4}(\.[0-9]{3})?$")]
    private static partial Regex MitreTechnique();

    /// <summary>Keeps the loader's refusal lines (without the logging prefix) as problems.</summary>
    private sealed class RefusalCollector : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }

    private sealed class RefusalCollectorFactory(RefusalCollector collector) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => collector;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
