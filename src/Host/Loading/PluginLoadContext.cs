using System.Reflection;
using System.Runtime.Loader;
using Sigs.Plugins;

namespace Sigs.Host.Loading;

/// <summary>
/// A collectible load context for one plugin. <c>Sigs.Plugins</c> and framework assemblies resolve from the host
/// so types unify; every other dependency resolves from the plugin's own folder through its <c>.deps.json</c>, and
/// is loaded only if it is one of the <see cref="PluginFiles"/> checked with the plugin, still trusted and unchanged:
/// managed ones from bytes (no file stays locked), native ones from a private copy of the checked bytes (so the
/// file cannot be swapped between the check and the load). A refused dependency is reported and fails to load.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private static readonly string SdkAssemblyName = typeof(Signature).Assembly.GetName().Name!;
    private readonly AssemblyDependencyResolver _resolver;
    private readonly PluginFiles _files;
    private readonly Action<string> _onRefused;
    private DirectoryInfo? _nativeCopies;

    public PluginLoadContext(string name, string mainAssemblyPath, PluginFiles files, Action<string> onRefused)
        : base($"sigs-plugin:{name}", isCollectible: true)
    {
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
        _files = files;
        _onRefused = onRefused;
        Unloading += _ => _nativeCopies?.Delete(recursive: true);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name == SdkAssemblyName)
        {
            return null;
        }

        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        if (path is null)
        {
            return null;
        }

        byte[]? bytes = _files.ReadChecked(path, out string? problem);
        if (bytes is null)
        {
            // Thrown, not null: null would let the default context load whatever the host has under that name.
            _onRefused($"dependency {assemblyName.Name}: {problem}");
            throw new FileLoadException($"Sigs refused to load {assemblyName.Name}: {problem}", assemblyName.Name);
        }

        return LoadFromStream(new MemoryStream(bytes));
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        if (path is null)
        {
            return IntPtr.Zero;
        }

        byte[]? bytes = _files.ReadChecked(path, out string? problem);
        if (bytes is null)
        {
            _onRefused($"native library {unmanagedDllName}: {problem}");
            return IntPtr.Zero;
        }

        // A private folder (mode 700) of copies: the checked bytes are what the loader maps.
        _nativeCopies ??= Directory.CreateTempSubdirectory("sigs-native-");
        string copy = Path.Combine(_nativeCopies.FullName, Path.GetFileName(path));
        File.WriteAllBytes(copy, bytes);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return LoadUnmanagedDllFromPath(copy);
    }
}
