namespace Sigs.Host.Configuration;

/// <summary>
/// One type of an extension point (a feed type, an output type): its name in the configuration's <c>type</c>
/// key, its options record (from which its schema is generated) and the rules a schema cannot say.
/// </summary>
internal interface IExtensionType
{
    /// <summary>The value of <c>type</c> that selects this type, for example <c>tracee</c>.</summary>
    string Name { get; }

    /// <summary>One line on what it is, for the schema and the help.</summary>
    string Summary { get; }

    /// <summary>The options record; its properties are the type's keys.</summary>
    Type OptionsType { get; }

    /// <summary>What is wrong with options the schema accepted, as "key: problem", or null.</summary>
    string? Problem(object options);
}
