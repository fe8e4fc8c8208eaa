using Microsoft.Extensions.Logging;
using Sigs.Host.Engine;
using Sigs.Host.Loading;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>A plugin folder loaded once, as the host loads it (through <see cref="PluginManager"/>), with a given loader.</summary>
internal sealed class LoadedFolder : IDisposable
{
    private readonly PluginManager _manager;

    public LoadedFolder(PluginLoader loader, string folder, ILoggerFactory logs)
    {
        _manager = new PluginManager(folder, loader, logs.CreateLogger("Sigs.Loading"));
        Index = _manager.LoadAll();
    }

    public SignatureIndex Index { get; }

    public IReadOnlyList<LoadedPlugin> Plugins => _manager.Plugins;

    public IReadOnlyList<string> Refusals => _manager.Refusals;

    public void Dispose() => _manager.Dispose();
}
