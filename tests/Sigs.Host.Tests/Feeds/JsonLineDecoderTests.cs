using Sigs.Host.Feeds;
using Sigs.Plugins;
using static Sigs.Host.Tests.Feeds.DecodeHelper;

namespace Sigs.Host.Tests.Feeds;

public class JsonLineDecoderTests
{
    [Fact]
    public void Decode_ContractJson_RoundTripsTheEvent()
    {
        SecurityEvent e = Single("""
            {"time":"2025-11-02T10:01:00Z","source":"sigs","name":"sched_process_exec","origin":"container",
             "process":{"hostPid":1,"entityId":2,"name":"sh","args":["sh","-c","id"],"interactive":true},
             "container":{"id":"c"},"args":{"k":"v"}}
            """, InputFormat.Contract);

        Assert.Equal(EventOrigin.Container, e.Origin);
        Assert.Equal(["sh", "-c", "id"], e.Process!.Args);
        Assert.True(e.Process.Interactive);
        Assert.Equal("v", e.Arguments["k"]);
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("[1,2,3]", "expected a JSON object, found array")]
    [InlineData("""{"hello":"world"}""", "matches no known format")]
    [InlineData("""{"time":"2025-11-02T10:01:00Z","source":"sigs","name":"x","colour":"blue"}""", "invalid Sigs event at $.colour")]
    [InlineData("""{"time":"2025-11-02T10:01:00Z","source":"sigs","name":"x","process":{"pid":"one"}}""", "invalid Sigs event at $.process.pid")]
    [InlineData("""{"time":"2025-11-02T10:01:00Z","source":"sigs","name":"x","origin":"moon"}""", "invalid Sigs event at $.origin")]
    public void Decode_BadLine_IsRejectedWithReason(string line, string expected)
    {
        Assert.Contains(expected, Error(line), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DeeplyNestedJson_IsRejected()
    {
        string deep = "{\"a\":" + string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200)) + "}";

        Assert.Contains("not valid JSON", Error(deep), StringComparison.Ordinal);
    }
}
