using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Sigs.Host.Feeds.Json;

/// <summary>
/// An event's argument map made on first use: most events are matched and dropped without anyone reading their
/// arguments as text, so decoders keep what is needed to make the map (the checked JSON of the arguments, or the
/// protobuf message) and <paramref name="make"/> turns it into text only when a signature or an output reads it.
/// Safe to share between threads, as events are: the first reader makes the map, a racing one may make it again
/// and the first to finish wins.
/// </summary>
internal sealed class LazyArguments<TSource>(TSource source, Func<TSource, IReadOnlyDictionary<string, string>> make) : IReadOnlyDictionary<string, string>
{
    private IReadOnlyDictionary<string, string>? _made;

    private IReadOnlyDictionary<string, string> Made =>
        Volatile.Read(ref _made) ?? Interlocked.CompareExchange(ref _made, make(source), null) ?? _made!;

    public int Count => Made.Count;

    public IEnumerable<string> Keys => Made.Keys;

    public IEnumerable<string> Values => Made.Values;

    public string this[string key] => Made[key];

    public bool ContainsKey(string key) => Made.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => Made.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Made.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
