namespace Sigs.Host.Tests.Hostile;

/// <summary>
/// Soak tests measure the whole process's managed heap, so they run alone: any test running beside them would
/// show as growth.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection
{
    public const string Name = "soak";
}
