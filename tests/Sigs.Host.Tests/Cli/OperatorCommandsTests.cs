using System.Text.Json;
using System.Text.RegularExpressions;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Cli;

/// <summary>
/// What an operator meets first, through the built <c>sigs</c>: readable findings, choosing signatures and
/// severities as Falco's and Tracee's flags do, a configuration checked before it runs, a list that fits a
/// terminal, and refusals that are counted and can fail the command.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class OperatorCommandsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Replay_FormatText_PrintsOneLinePerFinding_WithTimeSeveritySignatureProcessAndPod()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", "--format", "text", "examples/"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(10, result.StdoutLines.Length);
        Assert.All(result.StdoutLines, line => Assert.Matches(TextLine(), line));
        Assert.Equal(
            "2025-11-02T10:00:01.0000000Z High     TRC-1018 K8s TLS certificate theft detected: tracee security_file_open host pid=4101 /usr/bin/cat /etc/kubernetes/pki/apiserver.key read flags=0x8000",
            result.StdoutLines[0]);
        string tokenRead = Assert.Single(result.StdoutLines, line => line.Contains(" SIGS-1002 ", StringComparison.Ordinal));
        Assert.Contains("Medium   SIGS-1002 ", tokenRead, StringComparison.Ordinal);
        Assert.Contains("pod=shop/web-7d4b9 container=web pid=6100 /bin/sh", tokenRead, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Stdout); // not a terminal: no colour
    }

    [Fact]
    public async Task Replay_AFindingWhoseArgumentsHoldEscapesAndNewlines_StaysOneLineWithoutTerminalCodes()
    {
        string input = _folder.File("crafted.jsonl", """
            {"time":"2025-11-02T10:00:00Z","source":"sigs","name":"sched_process_exec","origin":"host","process":{"pid":9,"hostPid":9,"name":"cat","executable":"/usr/bin/cat","args":["cat","/root/.aws/credentials","\n2025-11-02T10:00:00.0000000Z Info     FAKE-1 all clear\u001b[2J\u001b]0;owned\u0007"]}}
            """);

        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", "--format", "text", input]);

        Assert.Equal(0, result.ExitCode);
        string line = Assert.Single(result.StdoutLines);
        Assert.Contains("SIGS-1004", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\u0007', line);
        Assert.Contains("\\u000a2025-11-02", line, StringComparison.Ordinal);
    }

    /// <summary>On a terminal (a real pseudo-terminal, through script(1)) a replay prints coloured text; NO_COLOR keeps the text and drops the colour.</summary>
    [Theory]
    [InlineData(null, true)]
    [InlineData("1", false)]
    public async Task Replay_OnATerminal_PrintsText_ColouredUnlessNoColorIsSet(string? noColor, bool coloured)
    {
        var environment = new Dictionary<string, string> { ["TERM"] = "xterm" };
        if (noColor is not null)
        {
            environment["NO_COLOR"] = noColor;
        }

        SigsProcess.Result result = await Command.RunAsync("script", ["-qec", $"'{RepoPaths.HostExecutable}' replay examples/ 2>/dev/null", "/dev/null"], environment: environment, timeout: TimeSpan.FromMinutes(2));

        Assert.Equal(0, result.ExitCode);
        // .NET's console switches the terminal's keypad mode (ESC[?1h ESC=) when it starts on one: not a finding's.
        string[] lines = [.. result.Stdout.Replace("\u001b[?1h\u001b=", string.Empty, StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
        Assert.Equal(10, lines.Length);
        Assert.All(lines, line => Assert.StartsWith("2025-11-02T", line, StringComparison.Ordinal));
        Assert.Equal(coloured, lines[0].Contains("\u001b[31mHigh\u001b[0m", StringComparison.Ordinal));
        Assert.All(lines, line => Assert.Equal(coloured, line.Contains('\u001b')));
    }

    [Fact]
    public async Task Replay_FormatJson_OnAPipe_IsTheDefault_AndMinSeverityKeepsHighAndAbove()
    {
        SigsProcess.Result all = await SigsProcess.RunAsync(["replay", "examples/"]);
        SigsProcess.Result high = await SigsProcess.RunAsync(["replay", "--min-severity", "HIGH", "examples/"]);

        Assert.Equal(10, all.FindingSignatureIds.Count);
        Assert.Equal(["TRC-1018", "TRC-1018", "SIGS-1004", "TRC-1018", "SIGS-1004", "SIGS-1004"], high.FindingSignatureIds);
    }

    [Fact]
    public async Task Outputs_TakeTheirOwnMinimumSeverityAndFormat()
    {
        string medium = Path.Combine(_folder.Path, "medium.txt");
        string config = _folder.File("sigs.yaml", $"""
            outputs:
              - type: stdout
              - type: file
                path: {medium}
                format: text
                minSeverity: medium
            """);

        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", "--config", config, "--min-severity", "low", "examples/"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(10, result.FindingSignatureIds.Count); // low and above: everything the examples find
        string[] written = await File.ReadAllLinesAsync(medium); // its own stricter minimum stays
        Assert.Equal(8, written.Length);
        Assert.All(written, line => Assert.Matches(TextLine(), line));
        Assert.DoesNotContain(written, line => line.Contains("SIGS-1001", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--disable", "tracee" }, new[] { "SIGS-1004", "SIGS-1001", "SIGS-1001", "SIGS-1004", "SIGS-1002", "SIGS-1003", "SIGS-1004" })]
    [InlineData(new[] { "--enable", "container" }, new[] { "SIGS-1001", "SIGS-1001", "SIGS-1002" })]
    [InlineData(new[] { "--enable", "Credential-Access", "--disable", "sigs-1003", "--disable", "SIGS-1004" }, new[] { "TRC-1018", "TRC-1018", "TRC-1018", "SIGS-1002" })]
    public async Task Replay_EnableAndDisable_PickSignaturesByIdOrTag(string[] selection, string[] expected)
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", .. selection, "examples/"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, result.FindingSignatureIds);
        Assert.DoesNotContain("not loaded as configured", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_ARefusedSignatureConfig_IsCountedInTheSummary_NotMisreported_AndStrictExitsOne()
    {
        string config = _folder.File("sigs.yaml", "signatures:\n  SIGS-1003:\n    config:\n      windowSecond: 30\n");

        SigsProcess.Result lenient = await SigsProcess.RunAsync(["replay", "--config", config, "examples/"]);
        SigsProcess.Result strict = await SigsProcess.RunAsync(["replay", "--strict", "--config", config, "examples/"]);

        Assert.Equal(0, lenient.ExitCode);
        Assert.Equal(9, lenient.FindingSignatureIds.Count);
        Assert.Contains("windowSecond", lenient.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("no loaded plugin has a signature with this id", lenient.Stderr, StringComparison.Ordinal);
        Assert.Contains("; 1 not loaded as configured (each logged above; --strict exits 1)", lenient.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, strict.ExitCode);
        Assert.Equal(9, strict.FindingSignatureIds.Count);
    }

    [Fact]
    public async Task Replay_AnEnableValueThatNamesNoSignature_IsAProblem_AndNoSignatureAtAllFailsStrict()
    {
        SigsProcess.Result typo = await SigsProcess.RunAsync(["replay", "--strict", "--enable", "SIGS-1OO1", "examples/"]);

        Assert.Equal(1, typo.ExitCode);
        Assert.Empty(typo.StdoutLines);
        Assert.Contains("0 findings (no signatures loaded); 1 not loaded as configured", typo.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_AGoodConfiguration_SaysOk()
    {
        string config = _folder.File("sigs.yaml", $"""
            feeds:
              - type: file
                path: {Path.Combine(RepoPaths.Examples, "01-node-tracee.jsonl")}
            rules:
              dirs: [{Path.Combine(RepoPaths.Examples, "rules")}]
            signatures:
              SIGS-1001:
                enabled: false
              3c0f6d2e-5b8a-4f1e-9a57-1004a0000001:
                enabled: false
            admin:
              enabled: false
            """);

        SigsProcess.Result result = await SigsProcess.RunAsync(["config", "check", "--config", config, "--disable", "SIGS-1002", "--enable", "kubernetes"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^config check: ok: \d+ signatures, 1 feeds, 1 outputs$", result.StdoutLines[^1]);
    }

    [Fact]
    public async Task ConfigCheck_NamesEveryProblem_OneLineEach_AndExitsOne()
    {
        string rules = _folder.NewFolder();
        File.WriteAllText(Path.Combine(rules, "broken.yml"), "title: broken\nid: broken-1\nlogsource: {category: process_creation, product: linux}\ndetection:\n  sel:\n    Image|nosuchmodifier: /bin/x\n  condition: sel\n");
        string events = Path.Combine(RepoPaths.Examples, "01-node-tracee.jsonl");
        string config = _folder.File("sigs.yaml", $"""
            feeds:
              - type: file
                name: node
                path: {events}
              - type: file
                name: node
                path: {events}
            rules:
              dirs: [{rules}]
            signatures:
              SIGS-9999:
                enabled: false
              SIGS-1003:
                config:
                  windowSeconds: 0
            select:
              disable: [no-such-tag]
            admin:
              enabled: false
            """);

        SigsProcess.Result result = await SigsProcess.RunAsync(["config", "check", "--config", config, "--enable", "kubernetes"]);

        Assert.Equal(1, result.ExitCode);
        string[] lines = result.StdoutLines;
        Assert.Contains(lines, l => l == "feeds: two feeds are named 'node'; give each its own 'name:'");
        Assert.Contains(lines, l => l.StartsWith("signature SIGS-1003 in ", StringComparison.Ordinal) && l.Contains("windowSeconds", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("broken.yml", StringComparison.Ordinal) && l.Contains("nosuchmodifier", StringComparison.Ordinal));
        Assert.Contains(lines, l => l == "signatures.SIGS-9999: no plugin or rule has a signature with this id");
        Assert.Contains(lines, l => l == "select.disable: 'no-such-tag' is neither the id nor a tag of any signature");
        Assert.DoesNotContain(lines, l => l.Contains("'kubernetes'", StringComparison.Ordinal));
        Assert.Equal("config check: 5 problems (4 signatures would run)", lines[^1]);
    }

    [Fact]
    public async Task ConfigCheck_AnAdminListenRunWouldRefuse_IsAProblem()
    {
        string config = _folder.File("sigs.yaml", $"feeds:\n  - type: file\n    path: {Path.Combine(RepoPaths.Examples, "01-node-tracee.jsonl")}\nadmin:\n  listen: http://sigs.local:9376\n");

        SigsProcess.Result result = await SigsProcess.RunAsync(["config", "check", "--config", config]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.StdoutLines, l => l.StartsWith("admin.listen 'http://sigs.local:9376' must be", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfigCheck_AConfigFileThatFailsItsSchema_ExitsTwoNamingTheKey()
    {
        string config = _folder.File("sigs.yaml", "outputs:\n  - type: stdout\n    minSeverity: severe\n");

        SigsProcess.Result result = await SigsProcess.RunAsync(["config", "check", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("minSeverity", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FitsOneHundredColumns_AndWideAddsTheFilesAndPins()
    {
        SigsProcess.Result narrow = await SigsProcess.RunAsync(["list", "--rules", "examples/rules"]);
        SigsProcess.Result wide = await SigsProcess.RunAsync(["list", "--wide", "--rules", "examples/rules"]);

        Assert.Equal(0, narrow.ExitCode);
        Assert.Equal(["ID", "VERSION", "SEVERITY", "NAME", "EVENTS", "PLUGIN"], narrow.StdoutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.All(narrow.StdoutLines, line => Assert.True(line.Length <= 100, $"{line.Length} columns: {line}"));
        Assert.Contains(narrow.StdoutLines, line => line.StartsWith("TRC-1018 ", StringComparison.Ordinal) && line.Contains(" high ", StringComparison.Ordinal));
        Assert.Contains(narrow.StdoutLines, line => line.StartsWith("3c0f6d2e-5b8a-4f1e-9a57-1003a0000002 ", StringComparison.Ordinal)); // ids are never cut
        Assert.Equal(narrow.StdoutLines.Length, wide.StdoutLines.Length);
        Assert.Contains("PIN (CONTENT SHA256)", wide.StdoutLines[0], StringComparison.Ordinal);
        Assert.All(wide.StdoutLines.Skip(1), line => Assert.Matches(@"[0-9a-f]{64} \(\d+ files?\)$", line));
    }

    [Fact]
    public async Task Help_ConfigCheck_IsListedAndDescribed()
    {
        SigsProcess.Result root = await SigsProcess.RunAsync(["--help"]);
        SigsProcess.Result check = await SigsProcess.RunAsync(["config", "check", "--help"]);

        Assert.Contains("config", root.Stdout, StringComparison.Ordinal);
        Assert.Contains("Usage: sigs config check [options]", check.Stdout, StringComparison.Ordinal);
        Assert.Contains("--enable ID|TAG", check.Stdout, StringComparison.Ordinal);
        Assert.Contains("--min-severity LEVEL", check.Stdout, StringComparison.Ordinal);
    }

    /// <summary>A text finding line: time, severity padded to nine, id, name, then the event.</summary>
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z (Info|Low|Medium|High|Critical) +[A-Z0-9a-f-]+ [^:]+: \S+ \S+ ")]
    private static partial Regex TextLine();
}
