using Sigs.Host.Feeds.Files;
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
    [InlineData("""{"kind":"Event","level":"Metadata","auditID":"a","stage":"ResponseComplete","verb":"get","stageTimestamp":"2025-11-02T10:00:00Z"}""", "looks like a Kubernetes audit event (kind Event or EventList) but has no 'apiVersion' of audit.k8s.io/v1")]
    [InlineData("""{"kind":"EventList","apiVersion":"v1","items":[]}""", "looks like a Kubernetes audit event (kind Event or EventList) but has no 'apiVersion' of audit.k8s.io/v1")]
    [InlineData("""{"output":"x","output_fields":{"evt.type":"openat"}}""", "looks like a Falco alert (output_fields) but has neither 'rule' nor 'priority'")]
    [InlineData("""{"output":"x","rule":"r","time":"12:01:02 today","output_fields":{"evt.type":"openat"}}""", "field 'time' is not an RFC 3339 time: the text '12:01:02 today'")]
    [InlineData("""{"time":"2025-11-02T10:01:00Z","source":"sigs","name":"x","colour":"blue"}""", "invalid Sigs event at $.colour")]
    [InlineData("""{"time":"2025-11-02T10:01:00Z","source":"sigs","name":"x","process":{"pid":"one"}}""", "invalid Sigs event at $.process.pid")]
    [InlineData("""{"time":"2025-11-02T10:01:00Z","source":"sigs","name":"x","origin":"moon"}""", "invalid Sigs event at $.origin")]
    public void Decode_BadLine_IsRejectedWithReason(string line, string expected)
    {
        Assert.Contains(expected, Error(line), StringComparison.Ordinal);
    }

    /// <summary>The format is guessed from the bytes; another format's key inside a string must not decide it.</summary>
    [Theory]
    [InlineData("""{"output":"a \"eventName\" and \"workload\" in the text","rule":"r","time":"2025-11-02T10:00:00Z","output_fields":{"evt.type":"openat","fd.name":"/etc/hosts"}}""", "FalcoAlert")]
    [InlineData("""{"timestamp":"2025-11-02T10:00:00Z","name":"security_file_open","data":[{"name":"pathname","value":"\"output_fields\""}]}""", "TraceeV1Beta1Json")]
    [InlineData("""{"time":"2025-11-02T10:01:00Z","source":"sigs","name":"x","args":{"note":"\"eventName\" \"audit.k8s.io/v1\""}}""", "Contract")]
    public void Decode_AnotherFormatsKeyInsideAString_DoesNotDecideTheFormat(string line, string format)
    {
        Single(line, Enum.Parse<InputFormat>(format));
    }

    /// <summary>Property names are matched by their bytes; an escaped name is the same name.</summary>
    [Fact]
    public void Decode_EscapedPropertyNames_AreTheSameNames()
    {
        SecurityEvent e = Single("""
            {"timestamp":1,"\u0065ventName":"security_file_open","processName":"cat","ar\u0067s":[{"n\u0061me":"pathname","valu\u0065":"/etc/kubernetes/pki/ca.key"}]}
            """, InputFormat.TraceeLegacyJson);

        Assert.Equal(EventNames.FileOpen, e.Name);
        Assert.Equal("/etc/kubernetes/pki/ca.key", e.File!.Path);
    }

    [Fact]
    public void Decode_ArgumentMap_IsMadeWhenRead_AndSharedSafely()
    {
        SecurityEvent e = Single("""
            {"timestamp":1,"eventName":"security_file_open","processName":"cat","args":[{"name":"pathname","value":"/a"},{"name":"flags","value":32768},{"name":"mode","value":{"x":[1,2]}},{"name":"pathname","value":"/b"},{"name":"empty"}]}
            """, InputFormat.TraceeLegacyJson);

        var texts = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, _ => texts.Add(string.Join(",", e.Arguments.Select(a => $"{a.Key}={a.Value}"))));

        Assert.Equal("pathname=/b,flags=32768,mode={\"x\":[1,2]},empty=", Assert.Single(texts.Distinct()));
        Assert.Equal("/b", e.File!.Path); // the last of two arguments with one name, as in the map
    }

    [Fact]
    public void Decode_DeeplyNestedJson_IsRejected()
    {
        string deep = "{\"a\":" + string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200)) + "}";

        Assert.Contains("not valid JSON", Error(deep), StringComparison.Ordinal);
    }
}
