using System.Buffers;
using Sigs.Plugins;

namespace Sigs.Host.Rules;

/// <summary>
/// The rules of one rule set indexed by their gates (<see cref="FieldGate"/>), so an event is tested against the
/// texts of every rule at once instead of rule by rule: per event name, one <see cref="SearchValues{T}"/> per field
/// over every gated rule's texts finds where one starts, and only the texts starting there are compared. A rule is
/// run when one of its texts is found, or always when it has no gate. Per event and thread the answer is worked out once, and each
/// rule's signature asks it (<see cref="MayMatch"/>); it allocates nothing for an event that no rule can match.
/// </summary>
internal sealed class RuleIndex
{
    private readonly CompiledRule[] _rules;
    private readonly Dictionary<string, Bucket> _byEventName = new(StringComparer.Ordinal);

    [ThreadStatic]
    private static Answer? t_answer;

    [ThreadStatic]
    private static char[]? t_joined;

    [ThreadStatic]
    private static bool[]? t_scratch;

    public RuleIndex(IReadOnlyList<CompiledRule> rules)
    {
        _rules = [.. rules];
        foreach (string name in _rules.SelectMany(r => r.Source.Selectors).Select(s => s.Name).Distinct(StringComparer.Ordinal))
        {
            int[] members = [.. Enumerable.Range(0, _rules.Length).Where(i => _rules[i].Source.Selectors.Any(s => s.Name == name))];
            _byEventName[name] = new Bucket(
                [.. members.Where(i => _rules[i].Gate is null)],
                [.. members.Where(i => _rules[i].Gate is not null)
                    .SelectMany(i => _rules[i].Gate!.Select(gate => (Rule: i, Gate: gate)))
                    .GroupBy(g => g.Gate.Key, StringComparer.Ordinal)
                    .Select(Group.Of)]);
        }
    }

    public IReadOnlyList<CompiledRule> Rules => _rules;

    /// <summary>Rules that are always run, having no gate.</summary>
    public int Ungated => _rules.Count(r => r.Gate is null);

    /// <summary>False when rule <paramref name="rule"/> (its place in <see cref="Rules"/>) cannot match the event, so it need not run.</summary>
    public bool MayMatch(SecurityEvent securityEvent, int rule)
    {
        Answer answer = t_answer ??= new Answer();
        if (!ReferenceEquals(answer.Index, this) || !ReferenceEquals(answer.Event, securityEvent))
        {
            answer.Index = null; // half-worked if Work throws
            answer.Known = Work(securityEvent, answer.Candidates.Length == _rules.Length ? answer.Candidates : answer.Candidates = new bool[_rules.Length]);
            (answer.Index, answer.Event) = (this, securityEvent);
        }

        return !answer.Known || answer.Candidates[rule];
    }

    /// <summary>
    /// The rules that match the event, in order, each tested only when the index says it may match: worked out
    /// afresh on every call (what a benchmark measures; signatures ask <see cref="MayMatch"/>).
    /// </summary>
    public int Matching(SecurityEvent securityEvent, List<int> matched)
    {
        matched.Clear();
        bool[] candidates = t_scratch is { } kept && kept.Length == _rules.Length ? kept : t_scratch = new bool[_rules.Length];
        bool known = Work(securityEvent, candidates);
        for (int i = 0; i < _rules.Length; i++)
        {
            if ((!known || candidates[i]) && _rules[i].Matches(securityEvent))
            {
                matched.Add(i);
            }
        }

        return matched.Count;
    }

    /// <summary>Marks the rules that may match; false when the event's name has no rules here (then every rule may).</summary>
    private bool Work(SecurityEvent securityEvent, bool[] candidates)
    {
        if (!_byEventName.TryGetValue(securityEvent.Name, out Bucket? bucket))
        {
            return false;
        }

        Array.Clear(candidates);
        foreach (int rule in bucket.Always)
        {
            candidates[rule] = true;
        }

        foreach (Group group in bucket.Groups)
        {
            group.Mark(securityEvent, candidates);
        }

        return true;
    }

    /// <summary>The list joined with spaces, as the field's reader joins it, in this thread's buffer.</summary>
    private static ReadOnlySpan<char> Joined(IReadOnlyList<string> list)
    {
        int length = list.Count - 1;
        for (int i = 0; i < list.Count; i++)
        {
            length += list[i]?.Length ?? 0; // a null element joins as empty, as string.Join has it
        }

        char[] buffer = t_joined is { } kept && kept.Length >= length ? kept : t_joined = new char[Math.Max(length, 256)];
        int at = 0;
        for (int i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                buffer[at++] = ' ';
            }

            if (list[i] is { } element)
            {
                element.CopyTo(buffer.AsSpan(at));
                at += element.Length;
            }
        }

        return buffer.AsSpan(0, length);
    }

    private sealed record Bucket(int[] Always, Group[] Groups);

    /// <summary>A text of a field and the rules it gates.</summary>
    private sealed record Entry(string Text, int[] Rules);

    /// <summary>
    /// One field's texts across rules: one search finds where any starts, then the texts starting with that
    /// character (ignoring case) are compared there, and the rules of each found text are marked.
    /// </summary>
    private sealed class Group
    {
        private readonly FieldGate _field;
        private readonly SearchValues<string> _any;
        private readonly Dictionary<char, Entry[]> _byFirst;
        private readonly Entry[] _surrogateFirst; // a pair's case is not its first char's: compared at every start

        private Group(FieldGate field, Entry[] entries)
        {
            _field = field;
            _any = SearchValues.Create([.. entries.Select(e => e.Text)], StringComparison.OrdinalIgnoreCase);
            _byFirst = entries.Where(e => !char.IsSurrogate(e.Text[0])).GroupBy(e => char.ToUpperInvariant(e.Text[0])).ToDictionary(g => g.Key, g => g.ToArray());
            _surrogateFirst = [.. entries.Where(e => char.IsSurrogate(e.Text[0]))];
        }

        public static Group Of(IGrouping<string, (int Rule, FieldGate Gate)> byField) => new(
            byField.First().Gate,
            [.. byField.SelectMany(g => g.Gate.Texts.Select(text => (Text: text, g.Rule)))
                .GroupBy(t => t.Text, StringComparer.OrdinalIgnoreCase)
                .Select(t => new Entry(t.Key, [.. t.Select(x => x.Rule).Distinct()]))]);

        /// <summary>Marks the rules whose texts the event's field holds. A value that is no text (a number) is not looked into: its rules are marked.</summary>
        public void Mark(SecurityEvent securityEvent, bool[] candidates)
        {
            if (_field.Joined is not null)
            {
                if (_field.Joined(securityEvent) is { Count: > 0 } joined)
                {
                    Mark(Joined(joined), candidates);
                }

                return;
            }

            switch (_field.Reader(securityEvent))
            {
                case null:
                    return;
                case string text:
                    Mark(text, candidates);
                    return;
                case IReadOnlyList<string> list:
                    for (int i = 0; i < list.Count; i++)
                    {
                        Mark(list[i], candidates);
                    }

                    return;
                default:
                    foreach (Entry entry in _byFirst.Values.SelectMany(e => e).Concat(_surrogateFirst))
                    {
                        MarkAll(entry, candidates);
                    }

                    return;
            }
        }

        private void Mark(ReadOnlySpan<char> text, bool[] candidates)
        {
            int at = 0;
            while (at < text.Length)
            {
                int found = text[at..].IndexOfAny(_any);
                if (found < 0)
                {
                    return;
                }

                at += found;
                ReadOnlySpan<char> rest = text[at..];
                if (_byFirst.TryGetValue(char.ToUpperInvariant(rest[0]), out Entry[]? entries))
                {
                    MarkStarting(rest, entries, candidates);
                }

                MarkStarting(rest, _surrogateFirst, candidates);
                at++;
            }
        }

        private static void MarkStarting(ReadOnlySpan<char> rest, Entry[] entries, bool[] candidates)
        {
            foreach (Entry entry in entries)
            {
                if (rest.StartsWith(entry.Text, StringComparison.OrdinalIgnoreCase))
                {
                    MarkAll(entry, candidates);
                }
            }
        }

        private static void MarkAll(Entry entry, bool[] candidates)
        {
            foreach (int rule in entry.Rules)
            {
                candidates[rule] = true;
            }
        }
    }

    /// <summary>What this thread worked out for the last event it asked about.</summary>
    private sealed class Answer
    {
        public RuleIndex? Index;
        public SecurityEvent? Event;
        public bool Known;
        public bool[] Candidates = [];
    }
}
