using System.Reflection;
using System.Runtime.Loader;
using Sigs.Plugins;

namespace Sigs.Host.Loading;

/// <summary>
/// A collectible load context for one plugin. <c>Sigs.Plugins</c> and framework assemblies resolve from the host
/// so types unify; every other dependency resolves from the plugin's own folder through its <c>.deps.json</c>,
/// loaded from bytes so no file stays locked.
/// </summary>
internal sealed class PluginLoadContext(string name, string mainAssemblyPath)
    : AssemblyLoadContext($"sigs-plugin:{name}", isCollectible: true)
{
    private static readonly string SdkAssemblyName = typeof(Signature).Assembly.GetName().Name!;
    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name == SdkAssemblyName)
        {
            return null;
        }

        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromStream(new MemoryStream(File.ReadAllBytes(path)));
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
