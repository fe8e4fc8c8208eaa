using System.Reflection;
using Sigs.Plugins;

namespace Sigs.Host.Loading;

/// <summary>
/// A signature's selectors checked at load, as Falco refuses a rule naming an unknown event type: a value that
/// would select nothing, silently, is refused with the fix. An origin must be host, container or *. A source or an
/// event name outside the contract is refused when it is a near miss of a known one (<c>tracy</c>,
/// <c>security_file_opne</c>); any other stays accepted, as under SDK 1.5: contract JSON lines may carry any source,
/// and Tracee's feed any of Tracee's event names. An event name outside the contract from a feed that gives only
/// the contract's (Falco, Tetragon, the audit webhook, the native probe) selects nothing and is refused.
/// </summary>
internal static class SelectorCheck
{
    private static readonly string[] ContractNames = ConstantsOf(typeof(EventNames));
    private static readonly string[] Sources = ConstantsOf(typeof(EventSources));
    private static readonly string[] Origins = ConstantsOf(typeof(EventOrigins));

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
            if (!Known(selector.Name, ContractNames) && (givesOnlyContractNames || (selector.Source == EventSelector.Any && Suggestion(selector.Name, ContractNames).Length > 0)))
            {
                yield return $"selector {i} names event '{selector.Name}', which is not a contract event ({string.Join(", ", ContractNames)}){Suggestion(selector.Name, ContractNames)} " +
                    (givesOnlyContractNames ? $"and {selector.Source} gives no other (use EventNames)" : "(use EventNames; another Tracee event with Source = EventSources.Tracee)");
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

    private static string[] ConstantsOf(Type type) =>
        [.. type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];
}
