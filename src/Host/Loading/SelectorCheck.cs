using System.Reflection;
using Sigs.Plugins;

namespace Sigs.Host.Loading;

/// <summary>
/// A signature's selectors checked at load, as Falco refuses a rule naming an unknown event type and Tracee a
/// detector naming an unknown event: a value that would select nothing, silently, is refused with the fix. An
/// origin must be host, container or *. An event name must be the contract's, or, from Tracee (or any source), one
/// of Tracee's events (<c>TraceeEventNames.txt</c>), which Tracee's feed passes through; from a feed that gives only
/// the contract's (Falco, Tetragon, the audit webhook, the native probe) only the contract's. A source outside
/// <see cref="EventSources"/> is refused when it is a near miss of one (<c>tracy</c>); another is accepted with any
/// name, as contract JSON lines may carry any source and name (so SDK 1.5 plugins that selected them still load).
/// </summary>
internal static class SelectorCheck
{
    private static readonly string[] ContractNames = ConstantsOf(typeof(EventNames));
    private static readonly string[] Sources = ConstantsOf(typeof(EventSources));
    private static readonly string[] Origins = ConstantsOf(typeof(EventOrigins));
    private static readonly HashSet<string> TraceeNames = ReadTraceeNames();

    /// <summary>Refuses selectors that would select nothing, naming every wrong value.</summary>
    /// <exception cref="PluginRefusedException">A selector names a value that does not exist.</exception>
    public static void ThrowIfAnySelectsNothing(IReadOnlyList<EventSelector> selectors)
    {
        if (Problems(selectors).ToList() is { Count: > 0 } problems)
        {
            throw new PluginRefusedException($"{string.Join("; and ", problems)}: it would select nothing");
        }
    }

    /// <summary>What is wrong with each selector, one clause per wrong value, with the fix; empty when all select something.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<EventSelector> selectors)
    {
        for (int i = 0; i < selectors.Count; i++)
        {
            EventSelector selector = selectors[i];
            if (!Known(selector.Origin, Origins))
            {
                yield return $"selector {i} has origin '{selector.Origin}', which is not {string.Join(", ", Origins)} or *{Suggestion(selector.Origin, Origins)} (use EventOrigins)";
            }

            if (!Known(selector.Source, Sources) && (selector.Source is null || Suggestion(selector.Source, Sources).Length > 0))
            {
                yield return $"selector {i} has source '{selector.Source}', which is no feed's ({string.Join(", ", Sources)}){Suggestion(selector.Source, Sources)} (use EventSources)";
            }

            bool givesOnlyContractNames = selector.Source is EventSources.Falco or EventSources.Tetragon or EventSources.KubernetesAudit or EventSources.Native;
            bool anyNameFromSource = !givesOnlyContractNames && !(selector.Source is EventSelector.Any or EventSources.Tracee);
            if (!Known(selector.Name, ContractNames) && !anyNameFromSource && (givesOnlyContractNames || !TraceeNames.Contains(selector.Name ?? string.Empty)))
            {
                string contract = string.Join(", ", ContractNames);
                yield return $"selector {i} names event '{selector.Name}', which is " +
                    (givesOnlyContractNames ? $"not a contract event ({contract}), and {selector.Source} gives no other" : $"neither a contract event ({contract}) nor one of Tracee's") +
                    $"{Suggestion(selector.Name, ContractNames)} (use EventNames)";
            }
        }
    }

    private static bool Known(string? value, string[] known) => value == EventSelector.Any || known.Contains(value, StringComparer.Ordinal);

    /// <summary>"; did you mean 'X'?" for the known value nearest a typo (at most a third of it changed); empty otherwise.</summary>
    private static string Suggestion(string? value, string[] known)
    {
        if (value is null)
        {
            return string.Empty;
        }

        (string Value, int Distance) nearest = known.Select(k => (k, Distance(value, k))).MinBy(k => k.Item2);
        return nearest.Distance <= Math.Max(1, nearest.Value.Length / 3) ? $"; did you mean '{nearest.Value}'?" : string.Empty;
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        int[] previous = [.. Enumerable.Range(0, b.Length + 1)];
        for (int i = 1; i <= a.Length; i++)
        {
            int[] current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static HashSet<string> ReadTraceeNames()
    {
        using Stream stream = typeof(SelectorCheck).Assembly.GetManifestResourceStream("TraceeEventNames.txt")
            ?? throw new InvalidOperationException("TraceeEventNames.txt is not embedded");
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#'))];
    }

    private static string[] ConstantsOf(Type type) =>
        [.. type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];
}
