namespace Sigs.Host.Feeds.Native;

/// <summary>A dictionary that forgets its oldest keys (by first insertion) beyond a capacity. Not thread-safe.</summary>
internal sealed class BoundedMap<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _items = new(comparer);
    private readonly Queue<TKey> _order = new();

    public int Count => _items.Count;

    public void Set(TKey key, TValue value)
    {
        if (_items.TryAdd(key, value))
        {
            _order.Enqueue(key);
        }
        else
        {
            _items[key] = value;
        }

        while (_items.Count > capacity && _order.TryDequeue(out TKey? oldest))
        {
            _items.Remove(oldest);
        }
    }

    public bool TryGetValue(TKey key, out TValue value) => _items.TryGetValue(key, out value!);

    public bool Remove(TKey key, out TValue value) => _items.Remove(key, out value!);
}
