using Sigs.Plugins;

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

    [Fact]
    public void Constructor_EmptyPattern_Throws()
    {
        Assert.Throws<ArgumentException>(() => new WildcardPattern(""));
    }
}
