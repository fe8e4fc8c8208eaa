namespace Sigs.Host.Loading;

/// <summary>
/// What the loader trusts: files with safe ownership and permissions (unless explicitly allowed otherwise), and,
/// when pins are configured, only the plugin files whose SHA-256 is pinned.
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

        return string.Equals(expected, plugin.Sha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"SHA-256 {plugin.Sha256} does not match the pinned {expected}";
    }
}
