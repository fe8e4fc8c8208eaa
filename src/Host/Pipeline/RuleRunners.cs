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
internal static class RuleRunners
{
    private static readonly JsonElement NoConfig = JsonDocument.Parse("{}").RootElement;

    /// <summary>Rules loaded and refused by the latest load.</summary>
    public sealed record Counts(int Loaded, int Refused);

    public static IReadOnlyList<SignatureRunner> Load(IReadOnlyList<string> folders, SigsConfig config, PluginLoader loader, TimeProvider clock, ILogger logger, out Counts counts)
    {
        counts = new Counts(0, 0);
        if (folders.Count == 0)
        {
            return [];
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
        counts = new Counts(runners.Count, rules.Refusals.Count);
        return runners;
    }
}
