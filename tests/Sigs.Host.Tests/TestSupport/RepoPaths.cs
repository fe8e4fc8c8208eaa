using System.Reflection;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>Where the build put things: the repository, the host executable, plugins and schemas.</summary>
internal static class RepoPaths
{
    private static string Metadata(string key) =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string Root { get; } = Path.GetFullPath(Metadata("RepoRoot"));

    public static string Configuration { get; } = Metadata("Configuration");

    public static string HostFolder { get; } = Path.Combine(Root, "src", "Host", "bin", Configuration, "net10.0");

    public static string HostExecutable { get; } = Path.Combine(HostFolder, "sigs");

    public static string ShippedPlugins { get; } = Path.Combine(HostFolder, "plugins");

    public static string Examples { get; } = Path.Combine(Root, "examples");

    public static string Schema(string fileName) => Path.Combine(Root, "schema", fileName);

    public static string TestPlugin(string name) => Path.Combine(Root, "artifacts", "test-plugins", Configuration, name);
}
