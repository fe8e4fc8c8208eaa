namespace Sigs.Plugins;

/// <summary>
/// Selects the events a signature receives. Each part is an exact value or <see cref="Any"/>.
/// </summary>
/// <param name="Name">The event name, for example <see cref="EventNames.FileOpen"/>.</param>
/// <param name="Source">The feed, for example <see cref="EventSources.Tracee"/>.</param>
/// <param name="Origin"><c>host</c>, <c>container</c> or <see cref="Any"/>.</param>
public sealed record EventSelector(string Name, string Source = EventSelector.Any, string Origin = EventSelector.Any)
{
    /// <summary>Matches every value.</summary>
    public const string Any = "*";
}
