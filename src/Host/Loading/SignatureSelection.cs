using System.Collections.Concurrent;
using Sigs.Host.Configuration;
using Sigs.Plugins;

namespace Sigs.Host.Loading;

/// <summary>
/// Decides whether a signature (a plugin's or a rule's) runs: <c>signatures.ID.enabled: false</c> turns it off,
/// <c>select.enable</c> (with <c>--enable</c>) keeps only the signatures whose id or a tag it names, and
/// <c>select.disable</c> (with <c>--disable</c>) takes out those it names. It remembers which values named a
/// signature, so a value that named none (a typo that would silently run nothing, or everything) is reported.
/// </summary>
internal sealed class SignatureSelection(SelectConfig select, IReadOnlyDictionary<string, SignatureSettings> settings)
{
    private readonly ConcurrentDictionary<string, bool> _named = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

    /// <summary>
    /// Notes a signature that was found, whether it will run, be turned off or be refused: its id is then no
    /// unknown <c>signatures:</c> entry, and the enable or disable values that name it are no typo.
    /// </summary>
    public void See(SignatureMetadata signature) => _ = Mark(signature);

    /// <summary>True when a signature with this id was found (<see cref="See"/>).</summary>
    public bool Saw(string id) => _seen.ContainsKey(id);

    /// <summary>Why the signature does not run (for its log line), or null when it runs. Sees it, as <see cref="See"/> does.</summary>
    public string? WhyNot(SignatureMetadata signature)
    {
        (string[] enabledBy, string[] disabledBy) = Mark(signature);
        if (settings.GetValueOrDefault(signature.Id) is { Enabled: false })
        {
            return $"signatures.{signature.Id}.enabled is false";
        }

        if (select.Enable.Count > 0 && enabledBy.Length == 0)
        {
            return $"neither its id nor a tag is in select.enable or --enable ({string.Join(", ", select.Enable)})";
        }

        return disabledBy.Length > 0 ? $"select.disable or --disable names '{disabledBy[0]}'" : null;
    }

    /// <summary>One line per enable or disable value that named no signature seen so far.</summary>
    public IReadOnlyList<string> Unused() =>
    [
        .. select.Enable.Where(value => !_named.ContainsKey(value)).Select(value => $"select.enable: '{value}' is neither the id nor a tag of any signature"),
        .. select.Disable.Where(value => !_named.ContainsKey(value)).Select(value => $"select.disable: '{value}' is neither the id nor a tag of any signature"),
    ];

    /// <summary>Notes the signature as found and the values naming it as used; returns those values.</summary>
    private (string[] EnabledBy, string[] DisabledBy) Mark(SignatureMetadata signature)
    {
        if (string.IsNullOrEmpty(signature.Id))
        {
            return ([], []); // refused for it next, with its own reason
        }

        _seen[signature.Id] = true;
        string[] enabledBy = [.. select.Enable.Where(value => Names(signature, value))];
        string[] disabledBy = [.. select.Disable.Where(value => Names(signature, value))];
        foreach (string value in enabledBy.Concat(disabledBy))
        {
            _named[value] = true;
        }

        return (enabledBy, disabledBy);
    }

    private static bool Names(SignatureMetadata signature, string value) =>
        string.Equals(signature.Id, value, StringComparison.OrdinalIgnoreCase)
        || (signature.Tags ?? []).Contains(value, StringComparer.OrdinalIgnoreCase);
}
