using Sigs.Host.Engine;

namespace Sigs.Host.Loading;

/// <summary>
/// What the loader trusts: files with safe ownership and permissions (unless explicitly allowed otherwise), and,
/// when pins are configured, only plugins whose content hash (over every file they can load) is pinned.
/// </summary>
internal sealed record PluginTrust(bool AllowInsecurePermissions, IReadOnlyDictionary<string, string>? Pinned)
{
    public static PluginTrust Default { get; } = new(AllowInsecurePermissions: false, Pinned: null);

    public string? PinningProblem(PluginInfo plugin)
    {
        if (Pinned is null)
        {
            return null;
        }

        string file = Path.GetFileName(plugin.AssemblyPath);
        if (!Pinned.TryGetValue(file, out string? expected))
        {
            return $"{file} is not listed in plugins.trusted";
        }

        return string.Equals(expected, plugin.ContentSha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"content SHA-256 {plugin.ContentSha256} (over {plugin.Files.Count} files) does not match the pinned {expected}";
    }
}
