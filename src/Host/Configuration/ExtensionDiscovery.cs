namespace Sigs.Host.Configuration;

/// <summary>Finds the types of an extension point: every concrete class in the host implementing it, one instance each, in name order.</summary>
internal static class ExtensionDiscovery
{
    public static IReadOnlyList<T> All<T>()
        where T : IExtensionType =>
        [.. typeof(T).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(T).IsAssignableFrom(t))
            .Select(t => (T)Activator.CreateInstance(t)!)
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>The type, among <paramref name="types"/>, whose options record <paramref name="options"/> is.</summary>
    public static T TypeOf<T>(IReadOnlyList<T> types, object options)
        where T : IExtensionType => types.Single(t => t.OptionsType == options.GetType());
}
