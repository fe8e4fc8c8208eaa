using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Cli;

/// <summary>
/// Windows follow event time in a live run as in replay: events that arrive later than they happened (a followed
/// file written in two parts, a spool drained after an outage) keep their pairs.
/// </summary>
[Trait("Category", "Slow")]
public sealed class EventTimeEndToEndTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task FollowedFile_WrittenInTwoParts_PairsAsReplayDoes()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepoPaths.Examples, "04-pod-session-mixed.jsonl"));
        string input = _folder.File("events.jsonl", "");
        string findings = Path.Combine(_folder.Path, "findings.jsonl");
        string config = _folder.File("sigs.yaml", $"feeds:\n  - type: file\n    path: {input}\n    follow: true\noutputs:\n  - type: file\n    path: {findings}\nadmin:\n  enabled: false\n");
        SigsProcess.Result replayed = await SigsProcess.RunAsync(["replay", Path.Combine(RepoPaths.Examples, "04-pod-session-mixed.jsonl")]);
        Assert.Contains("\"SIGS-1003\"", replayed.Stdout, StringComparison.Ordinal);

        using SigsProcess sigs = SigsProcess.Start(["run", "--config", config]);
        File.AppendAllLines(input, lines[..4]);
        await Eventually.TrueAsync(() => File.Exists(findings) && File.ReadAllText(findings).Contains("\"SIGS-1002\"", StringComparison.Ordinal), "the token read's finding", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(4)); // several ticks while the file is idle, the wall clock a year past the events
        File.AppendAllLines(input, lines[4..]);

        await Eventually.TrueAsync(() => File.ReadAllText(findings).Contains("\"SIGS-1003\"", StringComparison.Ordinal), "the token read paired with the API request", TimeSpan.FromSeconds(30));
    }
}
