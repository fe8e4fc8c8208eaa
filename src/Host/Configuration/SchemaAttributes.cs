namespace Sigs.Host.Configuration;

/// <summary>In the generated schema: each value of this mapping must match the pattern.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ValuePatternAttribute(string pattern) : Attribute
{
    public string Pattern { get; } = pattern;
}

/// <summary>In the generated schema: this free-form value must be a mapping.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class MappingAttribute : Attribute;
