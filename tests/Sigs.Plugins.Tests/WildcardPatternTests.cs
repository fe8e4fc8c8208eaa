namespace Sigs.Plugins.Tests;

public class WildcardPatternTests
{
    [Theory]
    [InlineData("/etc/shadow", "/etc/shadow", true)]
    [InlineData("/etc/shadow", "/etc/shadow.bak", false)]
    [InlineData("/etc/shadow", "/etc/Shadow", false)]
    [InlineData("*/.aws/credentials", "/root/.aws/credentials", true)]
    [InlineData("*/.aws/credentials", "/.aws/credentials", true)]
    [InlineData("*/.aws/credentials", "/root/.aws/credentials.old", false)]
    [InlineData("*/.aws/cli/cache/*.json", "/home/a/.aws/cli/cache/x/y.json", true)]
    [InlineData("*/.aws/cli/cache/*.json", "/home/a/.aws/cli/cache/y.jsonl", false)]
    [InlineData("/var/lib/kubelet/pki/*", "/var/lib/kubelet/pki/", true)]
    [InlineData("/var/lib/kubelet/pki/*", "/var/lib/kubelet/pki/sub/dir/x.pem", true)]
    [InlineData("/var/lib/kubelet/pki/*", "/var/lib/kubelet/pkix", false)]
    [InlineData("python*", "python3.11", true)]
    [InlineData("python*", "ipython", false)]
    [InlineData(".*", ".hidden", true)]
    [InlineData(".*", "a.out", false)]
    [InlineData("a*b*c", "aXXbYYbZc", true)]
    [InlineData("a*b*c", "aXXcYYb", false)]
    [InlineData("**x", "yyx", true)]
    [InlineData("a*a", "a", false)]
    [InlineData("a*a", "aa", true)]
    [InlineData("*ab*ab*", "xabyab", true)]
    [InlineData("*ab*ab*", "xaby", false)]
    [InlineData("*/run/secrets/kubernetes.io/serviceaccount/token*", "/var/run/secrets/kubernetes.io/serviceaccount/token", true)]
    [InlineData("*", "", true)]
    public void IsMatch_FollowsTheRuleSemantics(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, new WildcardPattern(pattern).IsMatch(value));
    }

    [Fact]
    public void LiteralPrefix_IsTheTextBeforeTheFirstStar()
    {
        Assert.Equal("/var/lib/kubelet/pki/", new WildcardPattern("/var/lib/kubelet/pki/*").LiteralPrefix);
        Assert.Equal("/etc/shadow", new WildcardPattern("/etc/shadow").LiteralPrefix);
    }

    [Fact]
    public void IsMatch_AllocatesNothing()
    {
        var pattern = new WildcardPattern("*/.config/gcloud/*.db");
        pattern.IsMatch("/root/.config/gcloud/credentials.db");

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool matched = pattern.IsMatch("/root/.config/gcloud/credentials.db") && !pattern.IsMatch("/root/.config/other");

        Assert.True(matched);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("/etc/shadow", true)]
    [InlineData("/root/.aws/credentials", true)]
    [InlineData("python3", true)]
    [InlineData("/root/.aws/credentials.bak", false)]
    [InlineData("", false)]
    [InlineData("/tmp/é", true)]
    [InlineData("/tmp/e", false)]
    public void PatternSet_IsMatch_MatchesWhenAnyPatternDoes(string value, bool expected)
    {
        var set = new WildcardPatternSet(["/etc/shadow", "*/.aws/credentials", "python*", "/tmp/é"]);

        Assert.Equal(expected, set.IsMatch(value));
    }

    [Fact]
    public void PatternSet_FirstMatch_ReturnsTheFirstMatchingValue()
    {
        var set = new WildcardPatternSet(["*.key", "*.pem"]);

        Assert.Equal("b.pem", set.FirstMatch(["a.txt", "b.pem", "c.key"]));
        Assert.Null(set.FirstMatch(["a.txt"]));
        Assert.Null(set.FirstMatch(null));
    }

    [Fact]
    public void PatternSet_NonMatchingValue_AllocatesNothing()
    {
        var set = new WildcardPatternSet(["/etc/shadow", "*/.aws/credentials", "*/.aws/cli/cache/*.json", "python*"]);
        string[] values = ["cat", "/app/config.yaml"];
        set.FirstMatch(values);

        long before = GC.GetAllocatedBytesForCurrentThread();
        string? match = set.FirstMatch(values);

        Assert.Null(match);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Constructor_EmptyPattern_Throws()
    {
        Assert.Throws<ArgumentException>(() => new WildcardPattern(""));
    }
}
