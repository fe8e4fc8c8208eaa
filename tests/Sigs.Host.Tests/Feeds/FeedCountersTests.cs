using Sigs.Host.Feeds;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds;

public class FeedCountersTests
{
    [Fact]
    public void CountEvent_NamesTheContractDoesNotKnow_ShareOneLabel()
    {
        var counters = new FeedCounters();

        for (int i = 0; i < 20_000; i++)
        {
            counters.CountEvent($"made_up_{i}");
        }

        counters.CountEvent(EventNames.FileOpen);

        Assert.Equal(20_001, counters.Events);
        Assert.Equal(
            new Dictionary<string, long> { [FeedCounters.OtherEventName] = 20_000, [EventNames.FileOpen] = 1 },
            counters.EventsByName);
    }
}
