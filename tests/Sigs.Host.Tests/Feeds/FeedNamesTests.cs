using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Pipeline;

namespace Sigs.Host.Tests.Feeds;

/// <summary>Feeds' names in /healthz, logs and metrics: configured, else the type, numbered when one type repeats; never an address.</summary>
public class FeedNamesTests
{
    private static FeedOptions Feed(string shortForm, string? name = null) => FeedFactory.Parse(shortForm) with { Name = name };

    [Fact]
    public void Unnamed_AreTheirType_NumberedFromTheSecond_AroundTheNamesGiven()
    {
        IReadOnlyList<string> names = FeedNames.Of([
            Feed("tracee:unix:/var/run/tracee.sock"),
            Feed("file:/var/log/a.jsonl", "file-2"),
            Feed("tracee:127.0.0.1:4466"),
            Feed("file:/var/log/b.jsonl"),
            Feed("file:/var/log/c.jsonl"),
        ]);

        Assert.Equal(["tracee", "file-2", "tracee-2", "file", "file-3"], names);
    }

    [Fact]
    public void TwoFeedsWithOneName_AreRefused_NamingIt()
    {
        var refused = Assert.Throws<UsageException>(() => FeedNames.Of([Feed("file:/a", "node"), Feed("file:/b", "node")]));

        Assert.Equal("feeds: two feeds are named 'node'; give each its own 'name:'", refused.Message);
    }
}
