using System.Text.Json;
using NJsonSchema;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Cli;

/// <summary>The built <c>sigs</c> executable, run as a real process.</summary>
[Trait("Category", "Slow")]
public sealed class CliTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Replay_Examples_PrintsExactlyTheDocumentedFindings()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", "examples/"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            ["TRC-1018", "TRC-1018", "SIGS-1004", "SIGS-1001", "TRC-1018", "SIGS-1001", "SIGS-1004", "SIGS-1002", "SIGS-1003", "SIGS-1004"],
            result.FindingSignatureIds);
        JsonSchema findingSchema = await JsonSchema.FromFileAsync(RepoPaths.Schema("finding.schema.json"));
        Assert.All(result.StdoutLines, line => Assert.Empty(findingSchema.Validate(line)));
        Assert.Contains(
            "replay: 20 events (tracee=10, tracee-v1beta1=1, falco=4, k8s-audit=3, sigs=2), 0 lines skipped; 10 findings (SIGS-1004=3, TRC-1018=3, SIGS-1001=2, SIGS-1002=1, SIGS-1003=1)",
            result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_AnUnreadableInputAfterAGoodOne_FailsBeforeAnyOutput()
    {
        // Root reads any file, whatever its mode; a unix socket is a path that exists and that open() refuses.
        string socketPath = Path.Combine(_folder.Path, "b-unreadable.jsonl");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));

        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", Path.Combine(RepoPaths.Examples, "01-node-tracee.jsonl"), socketPath]);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.StdoutLines);
        Assert.Contains($"input '{socketPath}' cannot be read", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("replay:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_BadLines_AreReportedWithFileAndLineAndTheRestIsProcessed()
    {
        string good = File.ReadLines(Path.Combine(RepoPaths.Examples, "05-node-sigs.jsonl")).First();
        string input = _folder.File("mixed.jsonl", string.Join('\n', "{not json", good, """{"hello":1}""", new string('x', 2 * 1024 * 1024), good) + "\n");

        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", input]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["SIGS-1004", "SIGS-1004"], result.FindingSignatureIds);
        Assert.Contains($"{input}:1: skipped: not valid JSON", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{input}:3: skipped: matches no known format", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{input}:4: skipped: line longer than 1048576 bytes", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("3 lines skipped; 2 findings", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplayEvents_PrintsTheContractEventsAndTheSkips_InInputOrder()
    {
        string[] tracee = [.. File.ReadLines(Path.Combine(RepoPaths.Examples, "04-pod-session-mixed.jsonl")).Take(2)];
        string input = _folder.File("mixed.jsonl", string.Join('\n', tracee[0], "{not json", tracee[1], """{"timestamp":"2024-01-01T00:00:00Z","id":60,"name":"execve"}""") + "\n");

        SigsProcess.Result json = await SigsProcess.RunAsync(["replay", "--events", input]);
        SigsProcess.Result compact = await SigsProcess.RunAsync(["replay", "--events", "--compact", input]);

        Assert.Equal((0, 0), (json.ExitCode, compact.ExitCode));
        string[] lines = json.StdoutLines;
        Assert.Equal(4, lines.Length);
        Assert.StartsWith($"# {input}:2: skipped: not valid JSON", lines[1], StringComparison.Ordinal);
        SecurityEvent[] events = [.. lines.Where(l => !l.StartsWith('#')).Select(l => System.Text.Json.JsonSerializer.Deserialize<SecurityEvent>(l, Sigs.Host.Contract.ContractJson.Options)!)];
        Assert.Equal([EventNames.ProcessExec, EventNames.FileOpen, "execve"], events.Select(e => e.Name));
        Assert.Equal("web-7d4b9", events[1].Kubernetes!.PodName);
        Assert.Equal(events[0].Process!.Args, events[1].Process!.Args); // as signatures get it: the open has its exec's argv
        Assert.Equal(4, compact.StdoutLines.Length);
        Assert.StartsWith("2025-11-02T10:00:21.0000000Z tracee security_file_open pod=shop/web-7d4b9", compact.StdoutLines[2], StringComparison.Ordinal);
        Assert.Contains("replay --events: 3 events, 1 lines skipped", json.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_Stdin_IsRead()
    {
        string input = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Examples, "03-node-falco.jsonl"));

        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", "-"], stdin: input);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["SIGS-1001", "SIGS-1004"], result.FindingSignatureIds);
    }

    [Theory]
    [InlineData(new[] { "replay", "/nonexistent/events.jsonl" }, "sigs: error: input '/nonexistent/events.jsonl' does not exist")]
    [InlineData(new[] { "replay", "--plugins", "/nonexistent/plugins", "examples/" }, "sigs: error: plugin folder '/nonexistent/plugins' does not exist")]
    [InlineData(new[] { "replay", "--config", "/nonexistent/sigs.yaml", "examples/" }, "sigs: error: /nonexistent/sigs.yaml: cannot read the configuration")]
    [InlineData(new[] { "replay" }, "sigs: replay needs at least one FILE, DIR or '-'")]
    [InlineData(new[] { "replay", "--colour", "examples/" }, "sigs: unknown option '--colour' for 'sigs replay'")]
    [InlineData(new[] { "fly" }, "sigs: unknown command 'fly'")]
    public async Task Fatal_Errors_ExitTwoWithOneClearLine(string[] args, string expected)
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Replay_BadConfig_NamesTheKeyPath()
    {
        string config = _folder.File("sigs.yaml", "outputs:\n  - type: stdout\n    colour: red\n");

        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", "--config", config, "examples/"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"sigs: error: {config}: outputs[0].colour: unknown key", result.Stderr.Trim());
    }

    [Fact]
    public async Task Replay_FileOutputAndDisabledSignature_FollowTheConfig()
    {
        string findings = Path.Combine(_folder.Path, "out", "findings.jsonl");
        string config = _folder.File("sigs.yaml", $"outputs:\n  - type: file\n    path: {findings}\nsignatures:\n  SIGS-1004:\n    enabled: false\n");

        SigsProcess.Result result = await SigsProcess.RunAsync(["replay", "--config", config, "examples/"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stdout);
        string[] written = await File.ReadAllLinesAsync(findings);
        Assert.Equal(7, written.Length);
        Assert.DoesNotContain(written, line => line.Contains("SIGS-1004", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_Json_ShowsEveryShippedSignatureWithItsPluginHash()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["list", "--json"]);

        Assert.Equal(0, result.ExitCode);
        JsonElement[] signatures = [.. JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray()];
        Assert.Equal(["SIGS-1001", "SIGS-1002", "SIGS-1003", "SIGS-1004", "TRC-1018"], signatures.Select(s => s.GetProperty("id").GetString()).Order());
        foreach (JsonElement signature in signatures)
        {
            JsonElement plugin = signature.GetProperty("plugin");
            byte[] bytes = await File.ReadAllBytesAsync(plugin.GetProperty("file").GetString()!);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), plugin.GetProperty("sha256").GetString());
            Assert.NotEmpty(signature.GetProperty("selectors").EnumerateArray());

            // The pin covers every file of the plugin's folder: the sha256sum listing of them all, hashed.
            string folder = Path.GetDirectoryName(plugin.GetProperty("file").GetString()!)!;
            string[] files = [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal)];
            JsonElement pin = plugin.GetProperty("pin");
            Assert.Equal(files, pin.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
            string listing = string.Concat(files.Select(f => $"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, f))))}  {f}\n"));
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(listing))), pin.GetProperty("sha256").GetString());
        }
    }

    [Fact]
    public async Task List_Table_HasOneRowPerSignature()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["list", "--wide"]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("ID ", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Equal(6, result.StdoutLines.Length);
        Assert.Contains(result.StdoutLines, line => line.StartsWith("TRC-1018 ", StringComparison.Ordinal) && line.Contains("security_inode_rename", StringComparison.Ordinal));
        Assert.Contains("PIN (CONTENT SHA256)", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.All(result.StdoutLines.Skip(1), line => Assert.Matches(@"[0-9a-f]{64} \(\d+ files?\)$", line));
    }

    /// <summary>
    /// A Tetragon feed where /proc cannot give the terminal: <c>sigs list</c> names the signatures that need one.
    /// Twice: with fillFromProc off, and with Sigs in a pid namespace of its own (unshare), where it finds out itself.
    /// </summary>
    [Theory]
    [InlineData(false, "fillFromProc is off")]
    [InlineData(true, "Sigs does not run in the host's pid namespace")]
    public async Task List_ATetragonFeedWithoutATerminal_NamesTheSignaturesThatCannotFire(bool ownPidNamespace, string why)
    {
        using var folder = new TempFolder();
        string config = Path.Combine(folder.Path, "sigs.yaml");
        await File.WriteAllTextAsync(config, $"feeds:\n  - type: tetragon\n    fillFromProc: {(ownPidNamespace ? "true" : "false")}\n");
        SigsProcess.Result result = ownPidNamespace
            ? await Command.RunAsync("unshare", ["--pid", "--fork", "--mount-proc", RepoPaths.HostExecutable, "list", "--config", config])
            : await SigsProcess.RunAsync(["list", "--config", config]);

        Assert.Equal(0, result.ExitCode);
        string line = Assert.Single(result.StdoutLines, l => l.StartsWith("feeds[0] (tetragon) lacks process.interactive", StringComparison.Ordinal));
        Assert.Contains(why, line, StringComparison.Ordinal);
        Assert.EndsWith("cannot fire on it: SIGS-1001, SIGS-1002, SIGS-1003", line, StringComparison.Ordinal);

        SigsProcess.Result json = ownPidNamespace ? result : await SigsProcess.RunAsync(["list", "--json", "--config", config]);
        if (!ownPidNamespace)
        {
            JsonElement[] signatures = [.. JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray()];
            Assert.Equal(["SIGS-1001", "SIGS-1002", "SIGS-1003"], signatures.Where(s => s.GetProperty("cannotFireOn").GetArrayLength() > 0).Select(s => s.GetProperty("id").GetString()).Order());
            Assert.Equal(["process.args"], signatures.Single(s => s.GetProperty("id").GetString() == "SIGS-1004").GetProperty("requiredFacts").EnumerateArray().Select(f => f.GetString()));
        }
    }

    [Fact]
    public async Task List_ATetragonFeedThatFillsFromProc_NamesNone()
    {
        using var folder = new TempFolder();
        string config = Path.Combine(folder.Path, "sigs.yaml");
        await File.WriteAllTextAsync(config, "feeds:\n  - type: tetragon\n");
        SigsProcess.Result result = await SigsProcess.RunAsync(["list", "--config", config]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Sigs.Host.Enrichment.ProcFactFiller.WhyNot() is null ? 6 : 7, result.StdoutLines.Length); // the table; the line only where /proc cannot
    }

    [Theory]
    [InlineData("--help", "Commands:")]
    [InlineData("replay --help", "--plugins DIR")]
    [InlineData("list --help", "--json")]
    [InlineData("run --help", "--config FILE")]
    [InlineData("check --help", "PATH")]
    public async Task Help_DescribesCommandsAndOptions(string args, string expected)
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(args.Split(' '));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunHelp_ListsEveryFeedTypesShortForm()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["run", "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.All(Sigs.Host.Feeds.FeedTypes.All, type => Assert.Contains(type.ShortForm, result.Stdout, StringComparison.Ordinal));
        Assert.Contains("native", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsTheHostsVersion()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["--version"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout.Trim());
    }

    [Theory]
    [InlineData("sigs re", "replay")]
    [InlineData("sigs run --f", "--feed")]
    [InlineData("sigs list --", "--json")]
    public async Task Completion_SuggestsCommandsAndOptions(string line, string expected)
    {
        // The [suggest] directive is what dotnet-suggest's shell scripts call for each TAB.
        SigsProcess.Result result = await SigsProcess.RunAsync([$"[suggest:{line.Length}]", line]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.StdoutLines);
    }

    /// <summary>The README's completion example, run as written: it printed nothing when it lacked the cursor's position.</summary>
    [Fact]
    public async Task Completion_TheReadmesExample_PrintsWhatItSays()
    {
        System.Text.RegularExpressions.Match example = System.Text.RegularExpressions.Regex.Match(
            File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")), "`sigs \"(\\[suggest[^\"]*)\" \"([^\"]+)\"` shows what it asks:\\s+the directive carries the cursor's position, and prints `([^`]+)`");
        Assert.True(example.Success, "the README's completion example");

        SigsProcess.Result result = await SigsProcess.RunAsync([example.Groups[1].Value, example.Groups[2].Value]);

        Assert.Equal([example.Groups[3].Value], result.StdoutLines);
    }

    [Fact]
    public async Task Run_FileFeed_WritesFindingsAndStopsCleanlyOnSigterm()
    {
        string findings = Path.Combine(_folder.Path, "findings.jsonl");
        string config = _folder.File("sigs.yaml", $"""
            feeds:
              - type: file
                path: {Path.Combine(RepoPaths.Examples, "01-node-tracee.jsonl")}
            outputs:
              - type: file
                path: {findings}
            admin:
              enabled: false
            """);
        using SigsProcess process = SigsProcess.Start(["run", "--config", config]);

        await WaitUntilAsync(() => File.Exists(findings) && File.ReadAllLines(findings).Length == 4);
        process.Signal("TERM");
        SigsProcess.Result result = await process.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Sigs stopped after draining its queue", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, (await File.ReadAllLinesAsync(findings)).Length);
    }

    [Fact]
    public async Task Run_NoFeeds_UsesTheNativeProbe_AndCatOfCredentialsFiresSigs1004_AndASigmaRule()
    {
        string findings = Path.Combine(_folder.Path, "findings.jsonl");
        int adminPort = Ports.Free();
        string config = _folder.File("sigs.yaml", $"outputs:\n  - type: file\n    path: {findings}\nadmin:\n  listen: http://127.0.0.1:{adminPort}\n");
        string credentials = _folder.File("credentials", "[default]\n");
        // A Sigma rule beside the plugins runs on the probe's execs too; an audit rule has no feed here and is refused.
        string rules = Directory.CreateDirectory(Path.Combine(_folder.Path, "rules")).FullName;
        File.WriteAllText(Path.Combine(rules, "cat.yml"), "title: cat of credentials\nid: rule-cat\nlogsource: {product: linux, category: process_creation}\ndetection:\n  sel:\n    Image|endswith: /cat\n    CommandLine|contains: /.aws/credentials\n    CurrentDirectory|exists: true\n  condition: sel\n");
        File.WriteAllText(Path.Combine(rules, "audit.yml"), "title: audit\nid: rule-audit\nlogsource: {product: kubernetes, service: audit}\ndetection:\n  sel:\n    verb: create\n  condition: sel\n");
        using SigsProcess sigs = SigsProcess.Start(["run", "--config", config, "--rules", rules]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
        await WaitUntilAsync(() => TryGet(http, "/healthz") == "ok\nrules: 1 loaded, 1 refused\n");

        string awsFolder = Directory.CreateDirectory(Path.Combine(_folder.Path, "home", ".aws")).FullName;
        File.Move(credentials, Path.Combine(awsFolder, "credentials"));
        var start = new System.Diagnostics.ProcessStartInfo("/bin/cat") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(awsFolder, "credentials"));
        start.ArgumentList.Add("-");
        using (var cat = System.Diagnostics.Process.Start(start)!)
        {
            await WaitUntilAsync(() => File.Exists(findings) && File.ReadAllText(findings).Contains("\"SIGS-1004\"", StringComparison.Ordinal) && File.ReadAllText(findings).Contains("\"rule-cat\"", StringComparison.Ordinal));
            cat.StandardInput.Close();
        }

        sigs.Signal("TERM");
        SigsProcess.Result result = await sigs.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Native probe listening to process events", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("audit.yml:1: logsource 'product: kubernetes, service: audit' has events (k8s_audit) that none of the configured feeds gives (native)", result.Stderr, StringComparison.Ordinal);
    }

    private static string? TryGet(HttpClient http, string path)
    {
        try
        {
            return http.GetStringAsync(path).GetAwaiter().GetResult();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
