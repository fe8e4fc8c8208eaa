using Sigs.Plugins;

namespace Sigs.TestPlugins;

/// <summary>References the SDK but declares no signature.</summary>
public static class Helper
{
    public static EventSelector Selector { get; } = new(EventNames.FileOpen);
}
