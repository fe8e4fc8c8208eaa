using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Loading;
using Sigs.Host.Rules;

namespace Sigs.Host.Pipeline;

/// <summary>
/// Loads the Sigma rules of the rule folders and makes each one a runner, as a plugin's signature is: its file is
/// its "plugin" (path and SHA-256 in <c>sigs list</c> and /plugins). Every refused rule is logged, one line each;
/// <c>signatures.&lt;rule id&gt;.enabled: false</c> turns a rule off.
/// </summary>
internal sealed class RuleRunners(IReadOnlyList<string> folders, SigsConfig config, PluginLoader loader, TimeProvider clock, ILogger logger)
{
    private static readonly JsonElement NoConfig = JsonDocument.Parse("{}").RootElement;

    private readonly RuleFolderWatch _watch = new(folders);

    /// <summary>Rules loaded and refused by a load.</summary>
    public sealed record Counts(int Loaded, int Refused)
    {
        public static readonly Counts None = new(0, 0);
    }

    /// <summary>The runners of the rules loaded now.</summary>
    public IReadOnlyList<SignatureRunner> Runners { get; private set; } = [];

    /// <summary>What the latest load loaded and refused, for /metrics.</summary>
    public Counts Latest { get; private set; } = Counts.None;

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

        RuleSet rules = RuleSet.Load(folders, config.Rules.Placeholders);
        foreach (string refusal in rules.Refusals)
        {
            RuleLog.Refused(logger, refusal);
        }

        var runners = new List<SignatureRunner>();
        foreach (RuleFile file in rules.Files)
        {
            var info = new PluginInfo(Path.GetFileName(file.Path), file.Path, file.Sha256, file.Sha256, [file.Path]) { LoadedAt = clock.GetUtcNow() };
            foreach (SigmaSignature signature in file.Signatures)
            {
                if (config.Signatures.GetValueOrDefault(signature.Metadata.Id) is { Enabled: false })
                {
                    RuleLog.Disabled(logger, signature.Metadata.Id);
                    continue;
                }

                runners.Add(loader.Initialize(signature, NoConfig, info));
            }
        }

        RuleLog.Loaded(logger, runners.Count, rules.Files.Count, rules.Refusals.Count);
        Latest = new Counts(runners.Count, rules.Refusals.Count);
        return Runners = runners;
    }
}
