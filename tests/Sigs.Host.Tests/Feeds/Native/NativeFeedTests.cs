using System.Diagnostics;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds.Native;

/// <summary>The native probe for real, as root: the process connector and /proc.</summary>
[Collection(NativeProbeCollection.Name)]
public sealed class NativeFeedTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CollectingEventSink _sink = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly NativeFeed _feed;
    private readonly Task _running;

    public NativeFeedTests()
    {
        _feed = new NativeFeed(_logs.CreateLogger("native"), () => WatchPlan.Empty);
        _running = _feed.RunAsync(_sink, _stop.Token);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _folder.Dispose();
    }

    private string Credentials()
    {
        Directory.CreateDirectory(Path.Combine(_folder.Path, ".aws"));
        return _folder.File(".aws/credentials", "[default]\naws_access_key_id = AKIAEXAMPLE\n");
    }

    /// <summary>Starts a process that stays alive until its stdin is closed, so /proc can be read while it runs.</summary>
    private static Process Start(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private async Task<SecurityEvent> ExecOfAsync(Func<SecurityEvent, bool> match)
    {
        await Eventually.TrueAsync(() => _sink.Events.Any(e => e.Name == EventNames.ProcessExec && match(e)), "the exec event");
        return _sink.Events.First(e => e.Name == EventNames.ProcessExec && match(e));
    }

    [Fact]
    public async Task Exec_OnTheHost_ReportsProcFactsAndItsExitPairsWithIt()
    {
        await Eventually.TrueAsync(() => _feed.Counters.Connected, "the probe to start");
        string path = Credentials();
        using Process cat = Start("/bin/cat", path, "-");

        SecurityEvent exec = await ExecOfAsync(e => e.Process!.HostPid == cat.Id);
        cat.StandardInput.Close();
        await cat.WaitForExitAsync();
        await Eventually.TrueAsync(() => _sink.Events.Any(e => e.Name == EventNames.ProcessExit && e.Process!.HostPid == cat.Id), "the exit event");
        SecurityEvent exit = _sink.Events.First(e => e.Name == EventNames.ProcessExit && e.Process!.HostPid == cat.Id);

        Assert.Equal(EventSources.Native, exec.Source);
        Assert.Equal(EventOrigin.Host, exec.Origin);
        Assert.Equal(["/bin/cat", path, "-"], exec.Process!.Args);
        Assert.Equal("cat", exec.Process.Name);
        Assert.EndsWith("/cat", exec.Process.Executable, StringComparison.Ordinal);
        Assert.Equal(Environment.ProcessId, exec.Process.ParentPid);
        Assert.Equal(0u, exec.Process.Uid);
        Assert.Equal(Environment.CurrentDirectory, exec.Process.WorkingDirectory);
        Assert.Equal(new FileInfo("/proc/self/exe").LinkTarget, exec.Process.ParentExecutable); // this test's host is the parent
        Assert.Equal(File.ReadAllText("/proc/self/cmdline").Split('\0')[0], exec.Process.ParentArgs![0]);
        Assert.False(exec.Process.Interactive);
        Assert.NotNull(exec.Process.EntityId);
        Assert.Equal(exec.Process.EntityId, exit.Process!.EntityId);
    }

    [Fact]
    public async Task Exec_WithAHugeArgv_KeepsOnlyTheLimit_MarkedAsCut()
    {
        // An unprivileged process may pass ~2 MB of argv (the kernel's limit with an 8 MB stack): 16 arguments of
        // 100,000 bytes. The probe reads the first 3,072 bytes and the last 1,024, and says the middle is missing.
        await Eventually.TrueAsync(() => _feed.Counters.Connected, "the probe to start");
        string credentials = Credentials();
        string[] args = ["-", .. Enumerable.Range(0, 16).Select(i => new string((char)('a' + i), 100_000)), credentials];
        using Process cat = Start("/bin/cat", args);

        SecurityEvent exec = await ExecOfAsync(e => e.Process!.HostPid == cat.Id);
        cat.Kill();
        await cat.WaitForExitAsync();

        Assert.True(exec.Process!.ArgsTruncated);
        Assert.Equal(["/bin/cat", "-"], exec.Process.Args!.Take(2));
        Assert.Equal(credentials, exec.Process.Args![^1]);
        Assert.True(exec.Process.Args!.Sum(a => System.Text.Encoding.UTF8.GetByteCount(a) + 1) - 1 <= Sigs.Host.Contract.ArgvLimit.MaxBytes);
    }

    [Fact]
    public async Task Exec_FromATerminal_IsInteractive()
    {
        await Eventually.TrueAsync(() => _feed.Counters.Connected, "the probe to start");
        string marker = Path.Combine(_folder.Path, "from-a-terminal");
        using Process script = Start("/usr/bin/script", "-qc", $"cat {marker} -", "/dev/null");

        SecurityEvent exec = await ExecOfAsync(e => e.Process!.Args?.Contains(marker) == true && e.Process.Name == "cat");
        script.Kill(entireProcessTree: true);

        Assert.True(exec.Process!.Interactive);
        Assert.NotNull(exec.Process.Tty);
    }

    [Fact]
    public async Task Exec_OfCatOnRootsAwsCredentials_FiresSigs1004ThroughTheEngine()
    {
        await Eventually.TrueAsync(() => _feed.Counters.Connected, "the probe to start");
        using var runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [], _logs, TimeProvider.System);
        const string Path = "/root/.aws/credentials";
        bool madeFolder = !Directory.Exists("/root/.aws");
        Directory.CreateDirectory("/root/.aws");
        bool madeFile = !File.Exists(Path);
        if (madeFile)
        {
            File.WriteAllText(Path, "[default]\naws_access_key_id = AKIAEXAMPLE\n");
        }

        try
        {
            using Process cat = Start("/bin/cat", Path, "-");
            SecurityEvent exec = await ExecOfAsync(e => e.Process!.HostPid == cat.Id);
            cat.StandardInput.Close();
            runtime.Process(exec);

            Assert.Equal(1, runtime.Engine.Index.Runners.Single(r => r.Metadata.Id == "SIGS-1004").Findings);
        }
        finally
        {
            if (madeFile)
            {
                File.Delete(Path);
            }

            if (madeFolder)
            {
                Directory.Delete("/root/.aws");
            }
        }
    }

    [Fact]
    public async Task SignaturesChangeWhileRunning_TheProbeIsRebuiltForTheNewFolders()
    {
        string first = Directory.CreateDirectory(Path.Combine(_folder.Path, "first")).FullName;
        string second = Directory.CreateDirectory(Path.Combine(_folder.Path, "second")).FullName;
        string inFirst = _folder.File("first/a", "x");
        string inSecond = _folder.File("second/b", "x");
        WatchPlan plan = new([first + "/"], Opens: true, Renames: false);
        var sink = new CollectingEventSink();
        using var stop = new CancellationTokenSource();
        var feed = new NativeFeed(_logs.CreateLogger("rebuilt"), () => Volatile.Read(ref plan), TimeSpan.FromMilliseconds(100));
        Task running = feed.RunAsync(sink, stop.Token);
        try
        {
            await OpenedAsync(sink, inFirst);
            FileProbe before = feed.Files!;

            Volatile.Write(ref plan, new WatchPlan([second + "/"], Opens: true, Renames: false));
            await OpenedAsync(sink, inSecond);
            int seenOfFirst = Opens(sink, inFirst);
            await CatAsync(inFirst);
            await CatAsync(inSecond);
            await Eventually.TrueAsync(() => Opens(sink, inSecond) >= 2, "the second open in the new folder");

            // The old probe is gone (its marks with its groups): the first folder's later open gave nothing.
            Assert.NotSame(before, feed.Files);
            Assert.Equal(seenOfFirst, Opens(sink, inFirst));
            Assert.Equal(["first", "second"], _logs.Lines.Where(l => l.Contains("watching", StringComparison.OrdinalIgnoreCase))
                .Select(l => l.Contains(first, StringComparison.Ordinal) ? "first" : "second"));
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Fact]
    public async Task WatchedFolderFoundNowhere_IsLoggedOnceAtStart_AndTheWatchIsOnTheGauges()
    {
        string present = Directory.CreateDirectory(Path.Combine(_folder.Path, "present")).FullName + "/";
        string absent = Path.Combine(_folder.Path, "absent") + "/";
        var feed = new NativeFeed(_logs.CreateLogger("gauges"), () => new WatchPlan([present, absent], Opens: true, Renames: true), TimeSpan.FromMilliseconds(100));
        using var stop = new CancellationTokenSource();
        Task running = feed.RunAsync(new CollectingEventSink(), stop.Token);
        try
        {
            await Eventually.TrueAsync(() => feed.Counters.Gauges.ContainsKey(FeedGauge.NativeMarks), "the probe's gauges");
            await Task.Delay(300); // a few refreshes: the missing folder is logged at start only

            IReadOnlyDictionary<FeedGauge, long> gauges = feed.Counters.Gauges;
            Assert.True(gauges[FeedGauge.NativeMarks] >= 2, $"marks {gauges[FeedGauge.NativeMarks]}"); // the open and the rename mark of present/
            Assert.True(gauges[FeedGauge.NativeMountNamespaces] >= 1);
            Assert.Equal(1, gauges[FeedGauge.NativeFoldersMissing]);
            string missingLine = Assert.Single(_logs.Lines, l => l.Contains("none yet", StringComparison.Ordinal));
            Assert.Contains(absent, missingLine, StringComparison.Ordinal);
            Assert.DoesNotContain(present, missingLine, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Fact]
    public async Task Run_NativeFeed_ExportsItsWatchOnMetrics()
    {
        int port = Ports.Free();
        string config = _folder.File("sigs.yaml", $"outputs:\n  - type: file\n    path: {_folder.Path}/findings.jsonl\nadmin:\n  listen: http://127.0.0.1:{port}\n");
        using SigsProcess sigs = SigsProcess.Start(["run", "--config", config, "--feed", "native"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        string metrics = "";
        await Eventually.TrueAsync(
            () => new PrometheusSamples(metrics = TryGetString(http, "/metrics")).Value("sigs_native_mount_namespaces", ("feed", "native")) is not null,
            "the native probe's gauges on /metrics",
            describe: () => metrics);
        sigs.Signal("TERM");
        Assert.Equal(0, (await sigs.WaitAsync(TimeSpan.FromSeconds(30))).ExitCode);

        var exported = new PrometheusSamples(metrics);
        Assert.True(exported.Value("sigs_native_marks", ("feed", "native")) >= 0);
        Assert.True(exported.Value("sigs_native_mount_namespaces", ("feed", "native")) >= 1);
        Assert.True(exported.Value("sigs_native_folders_missing", ("feed", "native")) >= 0);
    }

    private static string TryGetString(HttpClient http, string path)
    {
        try
        {
            return http.GetStringAsync(path).GetAwaiter().GetResult();
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    private static int Opens(CollectingEventSink sink, string path) =>
        sink.Events.Count(e => e.Name == EventNames.FileOpen && e.File!.Path == path);

    /// <summary>Opens <paramref name="path"/> from a child process (the probe skips its own) until the probe reports it.</summary>
    private static async Task OpenedAsync(CollectingEventSink sink, string path)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (Opens(sink, path) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for an open of {path}");
            await CatAsync(path);
            await Task.Delay(50);
        }
    }

    private static async Task CatAsync(string path)
    {
        using Process cat = Process.Start(new ProcessStartInfo("/bin/cat", path) { RedirectStandardOutput = true, UseShellExecute = false })!;
        await cat.StandardOutput.ReadToEndAsync();
        await cat.WaitForExitAsync();
    }
}
