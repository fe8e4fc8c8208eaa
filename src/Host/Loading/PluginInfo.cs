namespace Sigs.Host.Loading;

/// <summary>Identity of a loaded plugin: its name, the assembly file, and the SHA-256 of the exact bytes loaded.</summary>
internal sealed record PluginInfo(string Name, string AssemblyPath, string Sha256)
{
    /// <summary>When this generation of the plugin was loaded.</summary>
    public DateTimeOffset LoadedAt { get; init; } = DateTimeOffset.UtcNow;
}
