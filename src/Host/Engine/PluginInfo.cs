namespace Sigs.Host.Engine;

/// <summary>
/// Identity of a loaded plugin: its name, the assembly file, the SHA-256 of the exact bytes loaded, and the pin
/// over every file its load context may load (see Loading/PluginFiles), with those files' relative paths.
/// </summary>
internal sealed record PluginInfo(string Name, string AssemblyPath, string Sha256, string ContentSha256, IReadOnlyList<string> Files)
{
    /// <summary>When this generation of the plugin was loaded (by the loader's clock).</summary>
    public DateTimeOffset LoadedAt { get; init; }
}
