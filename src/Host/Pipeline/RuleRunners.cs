using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Feeds;
using Sigs.Host.Loading;
using Sigs.Host.Rules;

namespace Sigs.Host.Pipeline;

/// <summary>
/// Loads the Sigma rules of the rule folders and makes each one a runner, as a plugin's signature is: its file is
/// its "plugin" (path and SHA-256 in <c>sigs list</c> and /plugins). Every refused rule is logged, one line each;
/// <c>signatures.&lt;rule id&gt;.enabled: false</c> turns a rule off. With <paramref name="feeds"/>, a rule whose
/// logsource's events none of them gives is refused too (it could never fire); null: any event may come (a replay).
/// </summary>
internal sealed class RuleRunners(IReadOnlyList<string> folders, IReadOnlyList<FeedOptions>? feeds, SigsConfig config, PluginLoader loader, TimeProvider clock, ILogger logger)
{
    private static readonly JsonElement NoConfig = JsonDocument.Parse("{}").RootElement;

    private readonly RuleFolderWatch _watch = new(folders);

    /// <summary>Rules loaded and refused by a load.</summary>
    public sealed record Counts(int Loaded, int Refused)
    {
        public static readonly Counts None = new(0, 0);
    }

    /// <summary>True when rule folders or files are configured.</summary>
    public bool Configured => folders.Count > 0;

    /// <summary>The runners of the rules loaded now.</summary>
    public IReadOnlyList<SignatureRunner> Runners { get; private set; } = [];

    /// <summary>What the latest load loaded and refused, for /metrics.</summary>
    public Counts Latest { get; private set; } = Counts.None;

    /// <summary>One line per rule the latest load refused, as logged.</summary>
    public IReadOnlyList<string> Refusals { get; private set; } = [];

    /// <summary>Loads the rule files as they are now.</summary>
    public IReadOnlyList<SignatureRunner> Load()
    {
        _watch.Loaded();
        return LoadFiles();
    }

    /// <summary>
    /// When the rule files changed (and stayed the same since the last look): loads them all again and returns the
    /// runners they replace; null when nothing changed. Called by the one watch loop.
    /// </summary>
    public IReadOnlyList<SignatureRunner>? ReloadIfChanged()
    {
        if (folders.Count == 0 || !_watch.Changed())
        {
            return null;
        }

        IReadOnlyList<SignatureRunner> retired = Runners;
        LoadFiles();
        return retired;
    }

    private IReadOnlyList<SignatureRunner> LoadFiles()
    {
        if (folders.Count == 0)
        {
            return Runners;
        }

        RuleSet rules = RuleSet.Load(folders, config.Rules.Placeholders, new CorrelationLimits(config.Rules.Correlation.MaxGroups, config.Rules.Correlation.MaxEventsPerGroup));
        foreach (string refusal in rules.Refusals)
        {
            RuleLog.Refused(logger, refusal);
        }

        var runners = new List<SignatureRunner>();
        var unfed = new List<string>();
        foreach (RuleFile file in rules.Files)
        {
            var info = new PluginInfo(Path.GetFileName(file.Path), file.Path, file.Sha256, file.Sha256, [file.Path]) { LoadedAt = clock.GetUtcNow() };
            foreach (Plugins.Signature signature in file.Signatures)
            {
                if (loader.Selection.WhyNot(signature.Metadata) is { } why)
                {
                    RuleLog.Disabled(logger, signature.Metadata.Id, why);
                    continue;
                }

                if (NoFeedGives(signature) is { } refusal)
                {
                    RuleLog.Refused(logger, refusal);
                    unfed.Add(refusal);
                    continue;
                }

                runners.Add(loader.Initialize(signature, NoConfig, info));
            }
        }

        Refusals = [.. rules.Refusals, .. unfed];
        RuleLog.Loaded(logger, runners.Count, rules.Files.Count, Refusals.Count);
        Latest = new Counts(runners.Count, Refusals.Count);
        return Runners = runners;
    }

    /// <summary>Why no configured feed can give the rule an event, or null when one can (or any event may come).</summary>
    private string? NoFeedGives(Plugins.Signature signature)
    {
        if (feeds is null || signature.Selectors.Any(s => feeds.Any(f => FeedTypes.Of(f).Gives(s.Name))))
        {
            return null;
        }

        string events = string.Join(", ", signature.Selectors.Select(s => s.Name));
        string given = string.Join(", ", feeds.Select(f => FeedTypes.Of(f).Name));
        return signature switch
        {
            SigmaSignature rule => $"{rule.Rule.Rule.File}:{rule.Rule.Rule.Line}: logsource '{rule.Rule.Rule.LogSource}' has events ({events}) that none of the configured feeds gives ({given})",
            SigmaCorrelationSignature correlation => $"{correlation.Header.File}:{correlation.Header.Line}: correlation '{correlation.Header.Id}': its rules' events ({events}) come from none of the configured feeds ({given})",
            _ => $"{signature.Metadata.Id}: its events ({events}) come from none of the configured feeds ({given})",
        };
    }
}
