namespace Sigs.Host.Loading;

/// <summary>Identity of a loaded plugin: its name, the assembly file, and the SHA-256 of the exact bytes loaded.</summary>
internal sealed record PluginInfo(string Name, string AssemblyPath, string Sha256);
