using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Cli;

/// <summary><c>sigs replay</c> runs through the same engine loop as <c>sigs run</c>: a signature stuck in a call is isolated and the rest of the replay goes on.</summary>
[Trait("Category", "Slow")]
public sealed class ReplayIsolationTests : IDisposable
{
    private readonly TempFolder _plugins = new();
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        _plugins.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Replay_ASignatureThatNeverReturns_IsIsolated_AndTheOthersReportEveryFinding()
    {
        _plugins.AddPlugin(RepoPaths.TestPlugin("Misbehaving"));
        string config = _folder.File("sigs.yaml",
            "signatures:\n  TEST-SOMETIMES-THROWS: { enabled: false }\n  TEST-SPINS: { enabled: false }\n  TEST-ALLOCATES: { enabled: false }\n" +
            "engine:\n  stallMilliseconds: 200\nshutdown:\n  drainSeconds: 1\n");
        const int events = 50;
        string input = _folder.File("execs.jsonl", string.Concat(Enumerable.Range(0, events).Select(n =>
            $$"""{"time":"2026-01-01T00:00:{{n % 60:00}}Z","source":"sigs","name":"sched_process_exec","origin":"host"}""" + "\n")));

        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", "--plugins", _plugins.Path, "--config", config, input]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(events, result.StdoutLines.Count(l => l.Contains("\"TEST-WELL-BEHAVED\"", StringComparison.Ordinal)));
        Assert.Contains("TEST-BLOCKS-FOREVER", result.Stderr.Split('\n').Single(l => l.Contains("isolated", StringComparison.OrdinalIgnoreCase) && l.Contains("TEST-BLOCKS-FOREVER", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
