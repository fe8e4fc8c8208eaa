using System.Text;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Hostile;

/// <summary>
/// Lines found to crash decoders (issue: one malformed line ended <c>sigs replay</c> and stopped file feeds): each
/// is a named skip, or, for bytes that are not UTF-8, a delivered event with U+FFFD in their place.
/// </summary>
[Collection(Sigs.Host.Tests.Feeds.DecoderCountersCollection.Name)]
public sealed class HostileLinesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string, string> Skipped => new()
    {
        { """{"eventName":"x","timestamp":1,"args":[1]}""", "an element of 'args' is not an object" },
        { """{"eventName":"x","timestamp":1,"args":[{"name":{"a":1}}]}""", "field 'name' must be a string" },
        { """{"timestamp":"2025-11-02T10:00:00Z","name":"x","data":["a"]}""", "an element of 'data' is not an object" },
        { """{"timestamp":"2025-11-02T10:00:00Z","name":"x","workload":{"process":{"ancestors":[null]}}}""", "ancestors' is not an object" },
        { """{"source":"sigs","name":null,"time":"2025-11-02T10:00:00Z"}""", "field 'name' must be a non-empty string" },
        { """{"source":"sigs","name":"x","time":"2025-11-02T10:00:00Z","args":null}""", "field 'args' must be an object" },
        { """{"source":"sigs","name":"x","time":"2025-11-02T10:00:00Z","args":{"a":null}}""", "field 'args' must map names to strings" },
        { """{"source":"sigs","name":"x","time":"2025-11-02T10:00:00Z","process":{"args":["a",null]}}""", "process.args" },
        { """{"source":"sigs","name":"x","time":"2025-11-02T10:00:00Z","process":{"parentArgs":[null]}}""", "process.parentArgs" },
        { """{"source":"sigs","name":"x","time":"2025-11-02T10:00:00Z","audit":{"userGroups":["a",null]}}""", "audit.userGroups" },
        { """{"source":"sigs","name":"x","time":"2025-11-02T10:00:00Z","audit":{"sourceIps":[null]}}""", "audit.sourceIps" },
        { """{"source":"sigs","name":"x","time":"2025-11-02T10:00:00Z","audit":{"userExtra":{"k":[null]}}}""", "audit.userExtra" },
        { """{"source":"sigs","name":"x","time":"2025-11-02T10:00:00Z","audit":{"userExtra":{"k":null}}}""", "audit.userExtra" },
        { """{"apiVersion":"audit.k8s.io/v1","kind":"EventList","items":{}}""", "EventList has no 'items' array" },
        { """{"timestamp":"2024-01-01T00:00:00Z","name":"security_file_open","workload":{},"data":{"file_path":"/etc/shadow"}}""", "field 'data' must be a list of arguments" },
        { """{"rule":"r","time":"2025-11-02T10:00:00Z","output_fields":[]}""", "must be an object" },
    };

    [Theory]
    [MemberData(nameof(Skipped))]
    public void Decode_HostileLine_IsANamedSkip(string line, string reason)
    {
        DecodedInput decoded = JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(line));

        Assert.True(decoded.Refused);
        Assert.Contains(reason, Assert.Single(decoded.Problems), StringComparison.Ordinal);
        Assert.Empty(decoded.Events);
    }

    /// <summary>A line in each format whose process name holds one byte that is not UTF-8.</summary>
    private static readonly string[] BadByteLines =
    [
        """{"eventName":"sched_process_exec","timestamp":1,"processName":"ca@t","hostProcessId":7,"args":[{"name":"argv","value":["ca@t","/etc/shadow"]}]}""",
        """{"timestamp":"2025-11-02T10:00:00Z","name":"sched_process_exec","workload":{"process":{"host_pid":7,"thread":{"name":"ca@t"}}},"data":[{"name":"argv","value":["ca@t","/etc/shadow"]}]}""",
        """{"rule":"r","time":"2025-11-02T10:00:00Z","output_fields":{"evt.type":"execve","proc.name":"ca@t","proc.pid":7,"proc.cmdline":"ca@t /etc/shadow"}}""",
        """{"source":"sigs","name":"sched_process_exec","time":"2025-11-02T10:00:00Z","process":{"hostPid":7,"name":"ca@t","args":["ca@t","/etc/shadow"]}}""",
    ];

    public static TheoryData<string> WithABadByte => new(BadByteLines);

    [Theory]
    [MemberData(nameof(WithABadByte))]
    public void Decode_InvalidUtf8InsideAString_DeliversTheEventWithAReplacementCharacterAndCountsIt(string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        bytes[Array.IndexOf(bytes, (byte)'@')] = 0xC3; // a lead byte without its continuation
        long before = InvalidUtf8.Repaired;

        SecurityEvent e = Assert.Single(JsonLineDecoder.Decode(bytes).Events);
        Assert.Equal("ca\uFFFDt", e.Process!.Name);
        Assert.Equal(7, e.Process.HostPid);
        Assert.True(InvalidUtf8.Repaired > before);
    }

    [Fact]
    public void Decode_AuditListWithOneBadItem_KeepsTheOthersAndNamesTheItem()
    {
        string item = """{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","verb":"get","user":{"username":"ok"},"requestReceivedTimestamp":"2025-11-02T10:00:00Z"}""";
        string line = $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{{item}},{"kind":"Event","verb":7},{{item}}]}""";

        DecodedInput decoded = JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(line));

        Assert.False(decoded.Refused);
        Assert.Equal(2, decoded.Events.Count);
        Assert.StartsWith("items[1]: ", Assert.Single(decoded.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_AuditListWithOneInvalidUtf8Item_KeepsEveryItem()
    {
        string item = """{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","verb":"get","user":{"username":"u@"},"requestReceivedTimestamp":"2025-11-02T10:00:00Z"}""";
        byte[] bytes = Encoding.UTF8.GetBytes($$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{{item.Replace("u@", "ok", StringComparison.Ordinal)}},{{item}},{{item.Replace("u@", "ok", StringComparison.Ordinal)}}]}""");
        bytes[Array.IndexOf(bytes, (byte)'@')] = 0xFF;
        List<SecurityEvent> events = JsonLineDecoder.Decode(bytes).Events;

        Assert.Equal(["ok", "u\uFFFD", "ok"], events.Select(e => e.Audit!.User));
    }

    [Fact]
    public async Task Replay_EveryHostileLine_IsNamedAndTheValidLinesAroundThemStillFire()
    {
        string good = File.ReadLines(Path.Combine(RepoPaths.Examples, "05-node-sigs.jsonl")).First();
        var lines = new List<byte[]> { Encoding.UTF8.GetBytes(good) };
        foreach (object[] row in Skipped)
        {
            lines.Add(Encoding.UTF8.GetBytes((string)row[0]));
            lines.Add(Encoding.UTF8.GetBytes(good));
        }

        byte[] broken = Encoding.UTF8.GetBytes(BadByteLines[0]);
        broken[Array.IndexOf(broken, (byte)'@')] = 0xC3;
        lines.Add(broken);
        string input = Path.Combine(_folder.Path, "hostile.jsonl");
        await File.WriteAllBytesAsync(input, [.. lines.SelectMany(l => l.Append((byte)'\n'))]);

        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", input]);

        Assert.Equal(0, result.ExitCode);
        int skipped = Skipped.Count;
        Assert.Equal(skipped, result.Stderr.Split('\n').Count(l => l.Contains($"{input}:", StringComparison.Ordinal) && l.Contains(": skipped: ", StringComparison.Ordinal)));
        Assert.Equal(skipped + 1, result.StdoutLines.Length); // every copy of the good line fires
        Assert.Contains($"{skipped + 2} events", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{skipped} lines skipped", result.Stderr, StringComparison.Ordinal);
    }
}
