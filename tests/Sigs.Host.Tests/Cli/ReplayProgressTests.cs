using Sigs.Host.Cli;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Cli;

/// <summary>The replay's progress line: shown on a terminal (a pseudo-terminal from <c>script</c>), never in a pipe or with --quiet.</summary>
public sealed class ReplayProgressTests : IDisposable
{
    private const string Clear = "\r\u001b[K";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Line_SaysHowFarHowFastAndHowLong()
    {
        string line = ReplayProgress.Line(bytes: 120_400_000, totalBytes: 240_800_000, events: 122_400, findings: 6_610, elapsed: TimeSpan.FromSeconds(2));

        Assert.Equal("replay: 120.4 MB of 240.8 MB (50%), 61,200 events/s, 6,610 findings, 2 s left", line);
    }

    [Fact]
    public void Line_WithoutATotal_SaysWhatWasRead()
    {
        Assert.Equal("replay: 3.0 MB, 1,000 events/s, 0 findings", ReplayProgress.Line(3_000_000, null, 4_000, 0, TimeSpan.FromSeconds(4)));
    }

    [Fact]
    public async Task Replay_OnATerminal_ShowsTheLineAndClearsIt_WithQuietOrInAPipe_Not()
    {
        string onTerminal = await ReplaySlowlyAsync(quiet: false, terminal: true);
        string quiet = await ReplaySlowlyAsync(quiet: true, terminal: true);
        string piped = await ReplaySlowlyAsync(quiet: false, terminal: false);

        Assert.Contains(Clear + "replay: ", onTerminal, StringComparison.Ordinal);
        Assert.Contains("events/s", onTerminal, StringComparison.Ordinal);
        int summary = onTerminal.IndexOf("replay: 3 events", StringComparison.Ordinal);
        Assert.True(summary > 0, onTerminal);
        Assert.EndsWith(Clear, onTerminal[..summary], StringComparison.Ordinal); // cleared before the summary line
        Assert.Contains("replay: 3 events", quiet, StringComparison.Ordinal);
        Assert.DoesNotContain("events/s", quiet, StringComparison.Ordinal);
        Assert.Contains("replay: 3 events", piped, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[K", piped, StringComparison.Ordinal);
    }

    /// <summary>Replays three lines that arrive over three seconds on stdin (the line shows from a replay's first second, and start-up on a busy machine can take one); returns what stderr showed.</summary>
    private async Task<string> ReplaySlowlyAsync(bool quiet, bool terminal)
    {
        string events = Path.Combine(_temp.Path, "events.jsonl");
        File.WriteAllLines(events, File.ReadLines(Path.Combine(RepoPaths.Examples, "01-node-tracee.jsonl")).Take(3));
        string replay = $"{{ head -n 1 '{events}'; sleep 1; tail -n +2 '{events}'; sleep 2; }} | '{RepoPaths.HostExecutable}' replay --log-level warning {(quiet ? "--quiet " : "")}- 2>&1 >/dev/null";
        SigsProcess.Result result = terminal
            ? await Command.RunAsync("script", ["-qfec", replay, "/dev/null"]) // stderr is the pseudo-terminal script makes
            : await Command.RunAsync("sh", ["-c", replay]);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        return result.Stdout;
    }
}
