using CsCheck;
using Sigs.Host.Collections;

namespace Sigs.Host.Tests.Collections;

public class BoundedMapTests
{
    [Fact]
    public void Set_OverCapacity_ForgetsTheOldestAndCountsIt()
    {
        var map = new BoundedMap<int, string>(2);

        map.Set(1, "a");
        map.Set(2, "b");
        map.Set(1, "a2"); // an existing key keeps its place
        map.Set(3, "c");

        Assert.False(map.ContainsKey(1));
        Assert.True(map.TryGetValue(2, out string? b) && b == "b");
        Assert.Equal(1, map.Evictions);
    }

    [Fact]
    public void Remove_ThenSetAgain_IsNewAndDoesNotEvictALiveEntryEarly()
    {
        // The defect this map replaced: a removed key stayed in the order queue, so after remove and set
        // again its old place evicted the new entry, and exits on a node grew the queue by one per exec.
        var map = new BoundedMap<int, int>(2);
        map.Set(1, 1);
        map.Remove(1, out _);
        map.Set(2, 2);
        map.Set(1, 1);

        map.Set(3, 3); // evicts 2, the oldest live entry

        Assert.True(map.ContainsKey(1));
        Assert.False(map.ContainsKey(2));
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public void AnySequence_BehavesLikeAnInsertionOrderedModel_AndStaysWithinCapacity()
    {
        Gen<(int Capacity, (int Op, int Key)[] Ops)> gen =
            Gen.Int[1, 8].Select(Gen.Select(Gen.Int[0, 2], Gen.Int[0, 12]).Array[0, 200]);
        gen.Sample(t =>
        {
            var map = new BoundedMap<int, int>(t.Capacity);
            var model = new List<(int Key, int Value)>();
            long evictions = 0;
            int step = 0;
            foreach ((int op, int key) in t.Ops)
            {
                step++;
                switch (op)
                {
                    case 0:
                        map.Set(key, step);
                        int at = model.FindIndex(e => e.Key == key);
                        if (at >= 0)
                        {
                            model[at] = (key, step);
                        }
                        else
                        {
                            model.Add((key, step));
                            if (model.Count > t.Capacity)
                            {
                                model.RemoveAt(0);
                                evictions++;
                            }
                        }

                        break;
                    case 1:
                        Assert.Equal(model.RemoveAll(e => e.Key == key) > 0, map.Remove(key, out _));
                        break;
                    default:
                        bool found = map.TryGetValue(key, out int value);
                        Assert.Equal(model.Any(e => e.Key == key), found);
                        Assert.True(!found || model.Single(e => e.Key == key).Value == value);
                        break;
                }

                Assert.Equal(model.Count, map.Count);
                Assert.True(map.Count <= t.Capacity);
            }

            Assert.Equal(evictions, map.Evictions);
        }, iter: 2000);
    }

    [Fact]
    public void Set_OverTheWeightBound_ForgetsTheOldestUntilItFits_ButKeepsTheNewest()
    {
        var map = new BoundedMap<int, string>(100, weigh: value => value.Length, maxWeight: 10);
        map.Set(1, "aaaa");
        map.Set(2, "bbbb");
        map.Set(1, "a"); // replacing a value changes the weight by the difference
        Assert.Equal(5, map.Weight);

        map.Set(3, "cccccc"); // 11: the oldest (1) goes
        Assert.False(map.ContainsKey(1));
        Assert.Equal(10, map.Weight);

        map.Set(4, new string('d', 50)); // heavier than the bound alone: everything older goes, it stays
        Assert.True(map.ContainsKey(4));
        Assert.Equal(1, map.Count);
        Assert.Equal(50, map.Weight);
        Assert.Equal(3, map.Evictions);

        map.Remove(4, out _);
        Assert.Equal(0, map.Weight);
    }

    [Fact]
    public void AnySequence_KeepsTheWeightItsValuesHave_AndWithinTheBound()
    {
        Gen<(int Op, int Key, int Weight)[]> gen = Gen.Select(Gen.Int[0, 1], Gen.Int[0, 12], Gen.Int[0, 40]).Array[0, 200];
        gen.Sample(ops =>
        {
            var map = new BoundedMap<int, int>(8, weigh: value => value, maxWeight: 60);
            foreach ((int op, int key, int weight) in ops)
            {
                if (op == 0)
                {
                    map.Set(key, weight);
                }
                else
                {
                    map.Remove(key, out _);
                }

                long actual = Enumerable.Range(0, 13).Sum(k => map.TryGetValue(k, out int value) ? value : 0);
                Assert.Equal(actual, map.Weight);
                Assert.True(map.Weight <= 60 || map.Count == 1);
            }
        }, iter: 2000);
    }
}
