using Sigs.Host.Engine;

namespace Sigs.Host.Loading;

/// <summary>A plugin whose signatures were accepted: its identity, load context and runners.</summary>
internal sealed class LoadedPlugin(PluginInfo info, PluginLoadContext context, IReadOnlyList<SignatureRunner> runners) : IDisposable
{
    public PluginInfo Info { get; } = info;

    public IReadOnlyList<SignatureRunner> Runners { get; } = runners;

    public void Dispose() => Unload();

    /// <summary>
    /// Disposes the signatures and starts unloading the load context. The returned reference lets the caller
    /// check that the context is really collected once nothing else holds the plugin's types.
    /// </summary>
    public WeakReference Unload()
    {
        foreach (SignatureRunner runner in Runners)
        {
            runner.Retire();
        }

        var reference = new WeakReference(context);
        context.Unload();
        return reference;
    }
}
