using System.Reflection;

namespace Sigs.Plugins.Tests;

/// <summary>
/// Locks the SDK's public API: every public type and member is listed in api/Sigs.Plugins.txt. A change fails
/// this test until the list is updated on purpose (run with SIGS_UPDATE_API=1 to rewrite it) and the SDK
/// version is bumped as SemVer requires: a new member is a minor version, a removed or changed one a major.
/// </summary>
public class PublicApiTests
{
    private static string ApiFile => Path.Combine(
        typeof(PublicApiTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!,
        "api", "Sigs.Plugins.txt");

    [Fact]
    public void PublicApi_MatchesTheCheckedInList()
    {
        string actual = Describe(typeof(Signature).Assembly);
        if (Environment.GetEnvironmentVariable("SIGS_UPDATE_API") == "1")
        {
            File.WriteAllText(ApiFile, actual);
        }

        string expected = File.ReadAllText(ApiFile);
        string[] added = [.. actual.Split('\n').Except(expected.Split('\n'))];
        string[] removed = [.. expected.Split('\n').Except(actual.Split('\n'))];
        Assert.True(added.Length == 0 && removed.Length == 0,
            $"The public API of Sigs.Plugins changed. Added:\n  {string.Join("\n  ", added)}\nRemoved:\n  {string.Join("\n  ", removed)}\n" +
            "If this is on purpose, run the tests with SIGS_UPDATE_API=1 and bump the SDK version (minor for additions, major for removals or changes).");
    }

    [Fact]
    public void SdkVersion_IsTheAssemblyVersion()
    {
        Assert.Equal(new Version(1, 5, 0, 0), typeof(Signature).Assembly.GetName().Version);
    }

    private static string Describe(Assembly assembly)
    {
        var lines = new List<string> { $"assembly {assembly.GetName().Name} {assembly.GetName().Version}" };
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add($"type {Kind(type)} {type.FullName}{(type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) ? " : " + b.FullName : string.Empty)}");
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            IEnumerable<string> members = type.GetMembers(flags)
                .Where(IsVisible)
                .Select(Member)
                .OfType<string>()
                .Order(StringComparer.Ordinal);
            lines.AddRange(members.Select(m => $"  {m}"));
        }

        return string.Join('\n', lines) + "\n";
    }

    private static string Kind(Type type) =>
        type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : type.IsAbstract ? "abstract class" : type.IsSealed ? "sealed class" : "class";

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase method => (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly) && !method.IsSpecialName || method is ConstructorInfo { IsPublic: true } or ConstructorInfo { IsFamily: true },
        FieldInfo field => (field.IsPublic || field.IsFamily) && !field.IsSpecialName,
        PropertyInfo property => (property.GetMethod ?? property.SetMethod) is { } accessor && (accessor.IsPublic || accessor.IsFamily),
        EventInfo => true,
        _ => false,
    };

    private static string? Member(MemberInfo member) => member switch
    {
        ConstructorInfo ctor => $"ctor({Parameters(ctor)})",
        MethodInfo method => $"{(method.IsStatic ? "static " : method.IsAbstract ? "abstract " : method.IsVirtual && !method.IsFinal ? "virtual " : string.Empty)}{(method.IsFamily ? "protected " : string.Empty)}{Name(method.ReturnType)} {method.Name}{Generic(method)}({Parameters(method)})",
        PropertyInfo property => $"{(property.GetMethod?.IsStatic == true ? "static " : string.Empty)}{Name(property.PropertyType)} {property.Name} {{ {(property.GetMethod is { IsPublic: true } or { IsFamily: true } ? "get; " : string.Empty)}{(property.SetMethod is { } set && (set.IsPublic || set.IsFamily) ? (set.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit") ? "init; " : "set; ") : string.Empty)}}}",
        FieldInfo field => $"{(field.IsLiteral ? "const " : field.IsStatic ? "static " : string.Empty)}{(field.IsInitOnly ? "readonly " : string.Empty)}{Name(field.FieldType)} {field.Name}{(field.IsLiteral ? " = " + field.GetRawConstantValue() : string.Empty)}",
        EventInfo @event => $"event {Name(@event.EventHandlerType!)} {@event.Name}",
        _ => null,
    };

    private static string Generic(MethodInfo method) =>
        method.IsGenericMethodDefinition ? $"<{string.Join(", ", method.GetGenericArguments().Select(a => a.Name))}>" : string.Empty;

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)}"));

    private static string Name(Type type) => type.IsGenericType
        ? $"{type.Namespace}.{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
        : type.IsGenericParameter ? type.Name : type.FullName ?? type.Name;
}
