using System.Text.Json;
using Sigs.Host.Configuration;
using Sigs.Plugins;

namespace Sigs.Host.Pipeline;

/// <summary>Where a pipeline's signatures come from.</summary>
internal abstract record PipelineSignatures
{
    private PipelineSignatures()
    {
    }

    /// <summary>
    /// Every plugin in a folder, kept in step with it (<c>run</c>, <c>replay</c>, <c>list</c>, the benchmarks), and the
    /// Sigma rules of <paramref name="Rules"/>. With <paramref name="Feeds"/> (not empty), a rule whose events none of
    /// them gives is refused; without, as for a replay, any event may come.
    /// </summary>
    public sealed record Folder(string Path, IReadOnlyList<string>? Rules = null, IReadOnlyList<FeedOptions>? Feeds = null) : PipelineSignatures;

    /// <summary>One plugin DLL, or the folder it was built into, wherever it is (<c>check</c>).</summary>
    public sealed record OnePlugin(string Path) : PipelineSignatures;

    /// <summary>The plugin folder: the command line's, else the config's (relative to the config file), else plugins/ beside the executable.</summary>
    public static string FolderFor(string? fromCommandLine, SigsConfig config, string? configPath)
    {
        if (fromCommandLine is not null)
        {
            return Path.GetFullPath(fromCommandLine);
        }

        if (config.Plugins.Dir is { } configured)
        {
            string baseFolder = configPath is null ? Environment.CurrentDirectory : Path.GetDirectoryName(Path.GetFullPath(configPath))!;
            return Path.GetFullPath(configured, baseFolder);
        }

        return Path.Combine(AppContext.BaseDirectory, "plugins");
    }

    /// <summary>The rule folders: the command line's, then the config's (relative to the config file).</summary>
    public static IReadOnlyList<string> RulesFor(IReadOnlyList<string> fromCommandLine, SigsConfig config, string? configPath)
    {
        string baseFolder = configPath is null ? Environment.CurrentDirectory : Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        return [.. fromCommandLine.Select(Path.GetFullPath), .. config.Rules.Dirs.Select(d => Path.GetFullPath(d, baseFolder))];
    }

    /// <summary>Signature instances with their configuration, already validated (<c>Sigs.Plugins.Testing</c>).</summary>
    public sealed record Instances(IReadOnlyList<(Signature Signature, JsonElement Config)> Signatures) : PipelineSignatures;
}
