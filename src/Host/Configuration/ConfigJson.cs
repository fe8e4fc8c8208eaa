using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Sigs.Host.Configuration;

/// <summary>How the configuration binds to its records: camelCase keys, no unknown keys, <c>type</c> picking each feed's and output's record.</summary>
internal static class ConfigJson
{
    public static JsonSerializerOptions Options(ExtensionTypes types)
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            foreach ((_, Type optionsBase, IReadOnlyList<IExtensionType> pointTypes) in types.Points)
            {
                if (info.Type != optionsBase)
                {
                    continue;
                }

                info.PolymorphismOptions = new JsonPolymorphismOptions
                {
                    TypeDiscriminatorPropertyName = "type",
                    UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
                };
                foreach (IExtensionType type in pointTypes)
                {
                    info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type.OptionsType, type.Name));
                }
            }
        });
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = resolver,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowOutOfOrderMetadataProperties = true,
            NumberHandling = JsonNumberHandling.Strict,
            RespectRequiredConstructorParameters = true,
        };
        options.MakeReadOnly();
        return options;
    }
}
