using System.Text;
using System.Text.Json;
using Sigs.Host.Feeds.Json;

namespace Sigs.Host.Tests.Feeds;

public class RecentStringsTests
{
    private static string Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return RecentStrings.Get(in reader);
    }

    [Fact]
    public void TheSameBytes_GiveTheSameString_OtherBytesTheirOwn()
    {
        string first = Read("\"/usr/bin/python3\"");

        Assert.Same(first, Read("\"/usr/bin/python3\""));
        Assert.Equal("/usr/bin/python3", first);
        Assert.Equal("/usr/bin/python2", Read("\"/usr/bin/python2\""));
    }

    [Theory]
    [InlineData("\"caf\\u00e9 \\\"quoted\\\"\"", "café \"quoted\"")]
    [InlineData("\"\"", "")]
    [InlineData("\"ünïcödé\"", "ünïcödé")]
    public void Values_AreWhatGetStringGives(string json, string expected)
    {
        Assert.Equal(expected, Read(json));
        Assert.Equal(expected, Read(json)); // again, from the table
    }

    [Fact]
    public void LongValues_AreDecodedEachTime()
    {
        string json = "\"" + new string('x', 500) + "\"";

        Assert.Equal(new string('x', 500), Read(json));
        Assert.NotSame(Read(json), Read(json));
    }
}
