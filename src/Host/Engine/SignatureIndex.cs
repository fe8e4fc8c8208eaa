using System.Collections.Frozen;
using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>
/// A frozen map from (event name, origin) to the signatures that select it, built once per plugin generation.
/// Selection is one dictionary lookup plus a source check per candidate, and allocates nothing.
/// </summary>
internal sealed class SignatureIndex
{
    private readonly FrozenDictionary<string, Bucket> _byName;
    private readonly Bucket _anyName;

    /// <param name="runners">Every runner of the generation: they get signals and are reported.</param>
    /// <param name="dispatched">The runners events are delivered to here; default all (a forwarded signature runs elsewhere).</param>
    public SignatureIndex(IReadOnlyList<SignatureRunner> runners, IReadOnlyList<SignatureRunner>? dispatched = null)
    {
        Runners = runners;
        IReadOnlyList<SignatureRunner> selecting = dispatched ?? runners;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SignatureRunner runner in selecting)
        {
            foreach (EventSelector selector in runner.Selectors)
            {
                if (selector.Name != EventSelector.Any)
                {
                    names.Add(selector.Name);
                }
            }
        }

        _byName = names.ToFrozenDictionary(name => name, name => BuildBucket(selecting, name), StringComparer.Ordinal);
        _anyName = BuildBucket(selecting, name: null);
    }

    public static SignatureIndex Empty { get; } = new([]);

    /// <summary>The same generation, delivering events only to the runners <paramref name="dispatched"/> keeps.</summary>
    public SignatureIndex Dispatching(Func<SignatureRunner, bool> dispatched) => new(Runners, [.. Runners.Where(dispatched)]);

    /// <summary>Every runner of this generation, in load order.</summary>
    public IReadOnlyList<SignatureRunner> Runners { get; }

    /// <summary>The candidates for an event; each must still pass <see cref="Candidate.Accepts"/> for the source.</summary>
    public Candidate[] Select(string name, EventOrigin origin)
    {
        Bucket bucket = _byName.TryGetValue(name, out Bucket? named) ? named : _anyName;
        return origin == EventOrigin.Container ? bucket.Container : bucket.Host;
    }

    /// <summary>Names that at least one selector asks for explicitly.</summary>
    public IEnumerable<string> SelectedNames => _byName.Keys;

    private static Bucket BuildBucket(IReadOnlyList<SignatureRunner> runners, string? name) =>
        new(BuildCandidates(runners, name, "host"), BuildCandidates(runners, name, "container"));

    /// <summary>
    /// One candidate per runner: its selectors that match the name and origin are merged, and their sources
    /// united (null when any of them accepts every source).
    /// </summary>
    private static Candidate[] BuildCandidates(IReadOnlyList<SignatureRunner> runners, string? name, string origin)
    {
        var candidates = new List<Candidate>();
        foreach (SignatureRunner runner in runners)
        {
            bool selected = false;
            HashSet<string>? sources = [];
            foreach (EventSelector selector in runner.Selectors)
            {
                bool nameMatches = selector.Name == EventSelector.Any || selector.Name == name;
                bool originMatches = selector.Origin == EventSelector.Any || selector.Origin == origin;
                if (!nameMatches || !originMatches)
                {
                    continue;
                }

                selected = true;
                if (selector.Source == EventSelector.Any)
                {
                    sources = null;
                }
                else
                {
                    sources?.Add(selector.Source);
                }
            }

            if (selected)
            {
                candidates.Add(new Candidate(runner, sources?.ToArray()));
            }
        }

        return [.. candidates];
    }

    private sealed record Bucket(Candidate[] Host, Candidate[] Container);

    internal readonly struct Candidate(SignatureRunner runner, string[]? sources)
    {
        public SignatureRunner Runner { get; } = runner;

        public bool Accepts(string source) => sources is null || Array.IndexOf(sources, source) >= 0;
    }
}
