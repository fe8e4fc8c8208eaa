namespace Sigs.Host.Collections;

/// <summary>
/// A dictionary that forgets its oldest entries (by insertion) beyond a capacity, and counts what it forgot.
/// Removing a key takes it out of the insertion order too (a linked list beside the dictionary, both O(1)), so
/// a key removed and set again is new, and eviction never takes a live entry before its turn. Given a
/// <c>weigh</c> function (what a value holds, in bytes), it also keeps the values' total under <c>maxWeight</c>;
/// values must not change what they weigh while they are in the map. Not thread-safe.
/// </summary>
internal sealed class BoundedMap<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null, Func<TValue, long>? weigh = null, long maxWeight = long.MaxValue)
    where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<KeyValuePair<TKey, TValue>>> _items = new(comparer);
    private readonly LinkedList<KeyValuePair<TKey, TValue>> _order = new();

    public int Count => _items.Count;

    /// <summary>What the values weigh together (0 without a <c>weigh</c> function).</summary>
    public long Weight { get; private set; }

    /// <summary>Entries forgotten to stay within the capacity.</summary>
    public long Evictions { get; private set; }

    /// <summary>Sets the value; a new key goes to the end of the order, an existing key keeps its place.</summary>
    public void Set(TKey key, TValue value)
    {
        Weight += WeightOf(value);
        if (_items.TryGetValue(key, out LinkedListNode<KeyValuePair<TKey, TValue>>? node))
        {
            Weight -= WeightOf(node.Value.Value);
            node.Value = new KeyValuePair<TKey, TValue>(key, value);
        }
        else
        {
            _items[key] = _order.AddLast(new KeyValuePair<TKey, TValue>(key, value));
        }

        // The newest entry stays even when it alone weighs more than the bound.
        while (_items.Count > capacity || (Weight > maxWeight && _items.Count > 1))
        {
            LinkedListNode<KeyValuePair<TKey, TValue>> oldest = _order.First!;
            _order.RemoveFirst();
            _items.Remove(oldest.Value.Key);
            Weight -= WeightOf(oldest.Value.Value);
            Evictions++;
        }
    }

    public bool TryGetValue(TKey key, out TValue value)
    {
        if (_items.TryGetValue(key, out LinkedListNode<KeyValuePair<TKey, TValue>>? node))
        {
            value = node.Value.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public bool ContainsKey(TKey key) => _items.ContainsKey(key);

    public bool Remove(TKey key, out TValue value)
    {
        if (_items.Remove(key, out LinkedListNode<KeyValuePair<TKey, TValue>>? node))
        {
            _order.Remove(node);
            Weight -= WeightOf(node.Value.Value);
            value = node.Value.Value;
            return true;
        }

        value = default!;
        return false;
    }

    private long WeightOf(TValue value) => weigh is null ? 0 : weigh(value);
}
