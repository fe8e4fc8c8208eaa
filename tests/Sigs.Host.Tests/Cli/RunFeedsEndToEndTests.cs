using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Host.Tests.Feeds;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Cli;

/// <summary><c>sigs run</c> as a real process, fed by each feed type, producing the shipped signatures' findings.</summary>
[Trait("Category", "Slow")]
public sealed class RunFeedsEndToEndTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string FindingsFile => Path.Combine(_folder.Path, "findings.jsonl");

    private readonly int _adminPort = Ports.Free();

    private SigsProcess StartSigs(params string[] feeds) => StartSigsWithOutputs(string.Empty, feeds);

    private SigsProcess StartSigsWithOutputs(string moreOutputs, params string[] feeds) => StartSigsWith(moreOutputs, string.Empty, feeds);

    private SigsProcess StartSigsWith(string moreOutputs, string moreAdmin, params string[] feeds)
    {
        string config = _folder.File("sigs.yaml", $"outputs:\n  - type: file\n    path: {FindingsFile}\n{moreOutputs}admin:\n  listen: http://127.0.0.1:{_adminPort}\n{moreAdmin}");
        return SigsProcess.Start(["run", "--config", config, .. feeds.SelectMany(f => new[] { "--feed", f })]);
    }

    private IReadOnlyList<string> FindingIds() => File.Exists(FindingsFile)
        ? [.. File.ReadAllLines(FindingsFile).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("signature").GetProperty("id").GetString()!)]
        : [];

    private static async Task<SigsProcess.Result> StopAsync(SigsProcess sigs)
    {
        sigs.Signal("TERM");
        SigsProcess.Result result = await sigs.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, result.ExitCode);
        return result;
    }


    [Fact]
    public async Task Tracee_StreamedEventsInTraceesDefaultRawForm_ProduceFindings()
    {
        string socket = Path.Combine(_folder.Path, "tracee.sock");
        Event exec = new()
        {
            Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddYears(55)),
            Name = EventNames.ProcessExec,
            Workload = new Workload
            {
                Process = new Process { HostPid = 500, UniqueId = 77, Thread = new Sigs.Host.Feeds.Tracee.Proto.Thread { Name = "sh" } },
                Container = new Container { Id = "c0ffee" },
                K8S = new K8s { Pod = new Pod { Name = "web-1" } },
            },
            Data =
            {
                new EventValue { Name = "argv", StrArray = new StringArray { Value = { "sh" } } },
                new EventValue { Name = "stdin_type", UInt32 = 0x2190 }, // raw, as a default Tracee sends it: S_IFCHR | 0620
                new EventValue { Name = "stdin_path", Str = "/dev/pts/0" },
            },
        };
        Event tokenRead = exec.Clone();
        tokenRead.Name = EventNames.FileOpen;
        tokenRead.Data.Clear();
        tokenRead.Data.Add(new EventValue { Name = "pathname", Str = "/var/run/secrets/kubernetes.io/serviceaccount/..data/token" });
        tokenRead.Data.Add(new EventValue { Name = "flags", Int32 = 0x88000 }); // raw O_RDONLY|O_LARGEFILE|O_CLOEXEC
        Event bogusFlags = TraceeGrpcFeedTests.OpenEvent("/etc/kubernetes/pki/front-proxy-ca.key", hostPid: 101);
        bogusFlags.Data[1] = new EventValue { Name = "flags", Str = "O_BOGUS" }; // no access mode: unknown, counted, delivered
        await using GrpcSensor server = await GrpcSensor.StartAsync(socket, new TraceeSensor().ThenSend(exec, tokenRead, TraceeGrpcFeedTests.OpenEvent("/etc/kubernetes/pki/ca.key"), bogusFlags));

        int downPort = Ports.Free(); // an http output whose receiver is down: its retries and queue show on /metrics
        using SigsProcess sigs = StartSigsWithOutputs($"  - type: http\n    url: http://127.0.0.1:{downPort}/\n    timeoutSeconds: 1\n", $"tracee:unix:{socket}");
        await Eventually.TrueAsync(() => FindingIds().Count == 2, "two findings");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_adminPort}") };
        string metrics = "";
        await Eventually.TrueAsync(
            () => new PrometheusSamples(metrics = http.GetStringAsync("/metrics").GetAwaiter().GetResult()) is { } samples
                && samples.Value("sigs_engine_events_total") == 4
                && samples.Value("sigs_output_retries_total", ("output", $"http:http://127.0.0.1:{downPort}/")) >= 1,
            "all four events in the engine, and the http output retrying");
        using HttpResponseMessage health = await http.GetAsync("/healthz");
        string healthText = await health.Content.ReadAsStringAsync();
        JsonElement plugins = JsonDocument.Parse(await http.GetStringAsync("/plugins")).RootElement;
        SigsProcess.Result result = await StopAsync(sigs);

        Assert.Equal(["SIGS-1002", "TRC-1018"], FindingIds());
        Assert.Contains("Feed tracee:unix:", result.Stderr, StringComparison.Ordinal);
        // Readiness names the output that cannot deliver, and nothing else.
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.StartsWith($"output http:http://127.0.0.1:{downPort}/: cannot deliver (", healthText, StringComparison.Ordinal);
        Assert.Single(healthText.TrimEnd('\n').Split('\n'));
        var exported = new PrometheusSamples(metrics);
        Assert.Equal(3, exported.Value("sigs_events_total", ("feed", "tracee"), ("event", "security_file_open")));
        Assert.Equal(1, exported.Value("sigs_argument_forms_unknown_total", ("source", "tracee"), ("argument", "flags")));
        Assert.Single(result.Stderr.Split('\n'), l => l.Contains("argument 'flags' came as the text 'O_BOGUS'", StringComparison.Ordinal));
        Assert.Equal(1, exported.Value("sigs_findings_total", ("signature", "TRC-1018")));
        Assert.Equal(1, exported.Value("sigs_signature_state", ("signature", "SIGS-1003"), ("state", "active")));
        Assert.Equal(0, exported.Value("sigs_output_delivered_total", ("output", $"http:http://127.0.0.1:{downPort}/")));
        Assert.InRange(exported.Value("sigs_output_queue_length", ("output", $"http:http://127.0.0.1:{downPort}/"))!.Value, 0, 2);
        Assert.Contains("# TYPE sigs_events_total counter", metrics, StringComparison.Ordinal);

        Assert.Equal(5, plugins.GetArrayLength());
        // Each plugin by its folder's whole name (the folders hold dots: Sigs.Signatures.K8sCertTheft).
        Assert.Equal(
            ["Sigs.Signatures.CloudCreds", "Sigs.Signatures.K8sCertTheft", "Sigs.Signatures.KubeletPki", "Sigs.Signatures.SaToken", "Sigs.Signatures.SaTokenApi"],
            plugins.EnumerateArray().Select(p => p.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        JsonElement certTheft = plugins.EnumerateArray().SelectMany(p => p.GetProperty("signatures").EnumerateArray()).Single(s => s.GetProperty("id").GetString() == "TRC-1018");
        Assert.Equal(("active", 3, 1), (certTheft.GetProperty("state").GetString(), certTheft.GetProperty("events").GetInt32(), certTheft.GetProperty("findings").GetInt32()));
    }

    /// <summary>
    /// <c>sigs run --feed tetragon:unix:PATH</c>: events in <c>tetra getevents</c> form from a real gRPC server; the
    /// token read's process is a real one with a terminal, which the running host finds in /proc.
    /// </summary>
    [Fact]
    public async Task Tetragon_StreamedEvents_ProduceFindings_WithTheTerminalFromProc()
    {
        using RunningProcess shell = await RunningProcess.WithTerminalAsync();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var reader = new Conformance.TetragonJson.Proc(shell.Pid, "/usr/bin/sleep", "300", shell.StartTime);
        var cat = new Conformance.TetragonJson.Proc(4_190_002, "/usr/bin/cat", "/etc/kubernetes/pki/ca.key", now.AddSeconds(-1), Pod: null);
        string socket = Path.Combine(_folder.Path, "tetragon.sock");
        var sensor = new TetragonSensor().ThenSendJson(
            Conformance.TetragonJson.FilePermission(reader, "/var/run/secrets/kubernetes.io/serviceaccount/token", 4, now),
            Conformance.TetragonJson.FilePermission(cat, "/etc/kubernetes/pki/ca.key", 4, now),
            Conformance.TetragonJson.FilePermission(cat, "/etc/kubernetes/pki/ca.key", 4, now.AddMilliseconds(1)),
            """{"process_throttle":{"type":"THROTTLE_START","cgroup":"/kubepods/pod-noisy"},"node_name":"node-1"}""");
        await using GrpcSensor server = await GrpcSensor.StartAsync(socket, sensor);

        bool hostPidNamespace = Sigs.Host.Enrichment.ProcFactFiller.WhyNot() is null; // else /proc cannot lend the terminal, and the host says so
        using SigsProcess sigs = StartSigs($"tetragon:unix://{socket}");
        await Eventually.TrueAsync(() => FindingIds().Count == (hostPidNamespace ? 2 : 1), "the findings");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_adminPort}") };
        var metrics = new PrometheusSamples(await http.GetStringAsync("/metrics"));
        string health = "";
        await Eventually.TrueAsync(() => (health = http.GetAsync("/healthz").GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult()).Contains("throttles", StringComparison.Ordinal), "/healthz to report the throttle");
        SigsProcess.Result result = await StopAsync(sigs);

        const string feed = "tetragon"; // the metrics' label: the feed's type, not its address
        Assert.Equal($"feed {feed} (tetragon:unix://{socket}): Tetragon throttles 1 cgroup(s) (/kubepods/pod-noisy): their events are dropped\n", health);
        if (hostPidNamespace)
        {
            Assert.Equal(["SIGS-1002", "TRC-1018"], FindingIds().Order());
            Assert.Equal(1, metrics.Value("sigs_proc_facts_filled_total", ("feed", feed)));
        }
        else
        {
            Assert.Equal(["TRC-1018"], FindingIds());
            Assert.Contains("cannot fire on this feed: SIGS-1001, SIGS-1002, SIGS-1003", result.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(1, metrics.Value("sigs_tetragon_collapsed_total", ("feed", feed)));
        Assert.Equal(2, metrics.Value("sigs_events_total", ("feed", feed), ("event", "security_file_open")));
        Assert.Contains($"Feed tetragon:unix://{socket} connected", result.Stderr, StringComparison.Ordinal);
        GetEventsRequestShape(Assert.Single(sensor.Requests));
    }

    /// <summary>The shipped signatures ask Tetragon for execs, and for the kprobe and LSM events of the sigs policy.</summary>
    private static void GetEventsRequestShape(Sigs.Host.Feeds.Tetragon.Proto.GetEventsRequest request) =>
        Assert.Equal(
            ["ProcessExec", "ProcessKprobe,ProcessLsm policies=sigs"],
            request.AllowList.Select(f => $"{string.Join(",", f.EventSet)}{(f.PolicyNames.Count > 0 ? $" policies={string.Join(",", f.PolicyNames)}" : "")}"));

    [Fact]
    public async Task FalcoHttp_PostedAlerts_ProduceFindings()
    {
        int port = Ports.Free();
        using SigsProcess sigs = StartSigs($"falco-http:http://127.0.0.1:{port}/");
        using var http = new HttpClient();
        string[] alerts = await File.ReadAllLinesAsync(Path.Combine(RepoPaths.Examples, "03-node-falco.jsonl"));

        await Eventually.TrueAsync(() => HttpPost.Succeeds(http, $"http://127.0.0.1:{port}/", alerts[0]), "the receiver to accept the first alert");
        foreach (string alert in alerts.Skip(1))
        {
            Assert.True(HttpPost.Succeeds(http, $"http://127.0.0.1:{port}/", alert));
        }

        await Eventually.TrueAsync(() => FindingIds().Count == 2, "two findings");
        await StopAsync(sigs);
        Assert.Equal(["SIGS-1001", "SIGS-1004"], FindingIds());
    }

    /// <summary>
    /// A cluster that sends its audit log to Falco's k8saudit plugin: Falco's alert of the pod's API request pairs
    /// with Falco's alert of the token read (SIGS-1003) with no audit webhook; <c>/events</c> shows both as Sigs made them.
    /// </summary>
    [Fact]
    public async Task FalcoHttp_K8sAuditAlert_PairsWithATokenRead_AndEventsShowsWhatSigsMade()
    {
        int port = Ports.Free();
        using SigsProcess sigs = StartSigsWith(string.Empty, "  events: true\n", $"falco-http:http://127.0.0.1:{port}/");
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_adminPort}"), Timeout = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient();
        await Eventually.TrueAsync(() => TryGet(admin, "/healthz") is not null, "the admin endpoint");
        using HttpResponseMessage refused = await admin.GetAsync("/events?origin=moon");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("/events: origin must be host or container\n", await refused.Content.ReadAsStringAsync());
        using HttpResponseMessage events = await admin.GetAsync("/events?name=security_file_open,k8s_audit&format=compact&limit=2", HttpCompletionOption.ResponseHeadersRead);
        using var lines = new StreamReader(await events.Content.ReadAsStreamAsync());

        // Now, not 2025: the engine's once-a-second tick carries the wall clock and would expire an old read at once.
        DateTimeOffset now = DateTimeOffset.UtcNow;
        string read = $$$"""
            {"hostname":"node-2","output":"token read","output_fields":{"evt.type":"openat","fd.name":"/var/run/secrets/kubernetes.io/serviceaccount/token","evt.arg.flags":"O_RDONLY","proc.pid":7401,"proc.vpid":31,"proc.name":"cat","proc.exepath":"/usr/bin/cat","proc.cmdline":"cat /var/run/secrets/kubernetes.io/serviceaccount/token","proc.tty":34816,"user.uid":0,"container.id":"5f4e3d2c1b0a","container.name":"web","k8s.pod.name":"web-7d4b9","k8s.ns.name":"shop"},"priority":"Notice","rule":"Sigs file open","source":"syscall","tags":["sigs"],"time":"{{{now:O}}}"}
            """;
        string request = $$$"""
            {"hostname":"node-2","output":"secrets listed","output_fields":{"ka.auditid":"id-1","ka.stage":"ResponseComplete","ka.verb":"list","ka.uri":"/api/v1/namespaces/shop/secrets","ka.user.name":"system:serviceaccount:shop:web","ka.target.resource":"secrets","ka.target.namespace":"shop","ka.response.code":"200","json.value[/user/extra/authentication.kubernetes.io~1pod-name]":"[\"web-7d4b9\"]"},"priority":"Warning","rule":"K8s Serviceaccount Secrets Listed","source":"k8s_audit","tags":["k8s"],"time":"{{{now.AddSeconds(5):O}}}"}
            """;
        await Eventually.TrueAsync(() => HttpPost.Succeeds(http, $"http://127.0.0.1:{port}/", read), "the receiver to accept the read");
        Assert.True(HttpPost.Succeeds(http, $"http://127.0.0.1:{port}/", request));

        // A bound for a hang only.
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string? first = await lines.ReadLineAsync(hang.Token);
        string? second = await lines.ReadLineAsync(hang.Token);
        Assert.Contains(" falco security_file_open pod=shop/web-7d4b9 container=web pid=7401 /usr/bin/cat ", first, StringComparison.Ordinal);
        Assert.Contains(" falco k8s_audit pod=shop/web-7d4b9 ", second, StringComparison.Ordinal);
        Assert.Null(await lines.ReadLineAsync(hang.Token)); // limit=2 ends the stream
        await Eventually.TrueAsync(() => FindingIds().Count == 2, "the token read and the sequence findings");
        SigsProcess.Result result = await StopAsync(sigs);

        Assert.Equal(["SIGS-1002", "SIGS-1003"], FindingIds());
        Assert.Contains("A reader of /events left: 2 events sent, 0 dropped", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Stop_OnSignal_ProcessesEverythingAcceptedBeforeItAndExitsZero(string signal)
    {
        int port = Ports.Free();
        using SigsProcess sigs = StartSigs($"falco-http:http://127.0.0.1:{port}/");
        using var http = new HttpClient();
        string alert = (await File.ReadAllLinesAsync(Path.Combine(RepoPaths.Examples, "03-node-falco.jsonl")))[2];
        await Eventually.TrueAsync(() => HttpPost.Succeeds(http, $"http://127.0.0.1:{port}/", alert), "the receiver to accept the first alert");

        // Every alert below is acknowledged with 200 before the signal: each must come out as a finding.
        const int accepted = 2_000;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(sender => Task.Run(() =>
        {
            for (int i = sender; i < accepted - 1; i += 8)
            {
                Assert.True(HttpPost.Succeeds(http, $"http://127.0.0.1:{port}/", alert));
            }
        })));
        sigs.Signal(signal);
        // A bound for a hang only: draining 2,000 findings took 12-23 s beside one build and over 30 s inside a full
        // suite beside one; the test asserts that everything comes out and the exit code, not how fast.
        SigsProcess.Result result = await sigs.WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(accepted, FindingIds().Count);
        Assert.Contains($"Sigs stopped after draining its queue ({accepted} events processed)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditWebhookAndFileFeed_TogetherProduceTheSequenceFinding()
    {
        // The example's events, moved to now: the engine's once-a-second tick carries the wall clock, and a signature
        // rightly lets a token read older than its window go; 2025's events would be expired before the webhook posts.
        TimeSpan shift = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(1762077620);
        string[] session = [.. (await File.ReadAllLinesAsync(Path.Combine(RepoPaths.Examples, "04-pod-session-mixed.jsonl"))).Select(line => Shifted(line, shift))];
        string traceeLines = _folder.File("tracee.jsonl", string.Join('\n', session.Take(4)) + "\n");
        string eventList = $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{{string.Join(',', session.Skip(4))}}]}""";
        int port = Ports.Free();
        using SigsProcess sigs = StartSigs($"file:{traceeLines}", $"k8s-audit:http://127.0.0.1:{port}/k8s-audit");
        using var http = new HttpClient();

        await Eventually.TrueAsync(() => FindingIds().Count == 1, "the token read finding from the file feed");
        await Eventually.TrueAsync(() => HttpPost.Succeeds(http, $"http://127.0.0.1:{port}/k8s-audit", eventList), "the webhook to accept the batch");
        await Eventually.TrueAsync(() => FindingIds().Count == 2, "the sequence finding");
        await StopAsync(sigs);

        Assert.Equal(["SIGS-1002", "SIGS-1003"], FindingIds());
    }

    /// <summary>The line with every Tracee nanosecond timestamp and every audit RFC 3339 timestamp moved by <paramref name="shift"/>.</summary>
    private static string Shifted(string line, TimeSpan shift)
    {
        string nanos = System.Text.RegularExpressions.Regex.Replace(line, @"""timestamp"":(\d+)", m =>
            $"\"timestamp\":{long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + (shift.Ticks * 100)}");
        return System.Text.RegularExpressions.Regex.Replace(nanos, @"""(\w+Timestamp)"":""([^""]+)""", m =>
            $"\"{m.Groups[1].Value}\":\"{DateTimeOffset.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture).Add(shift).UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}\"");
    }

    [Theory]
    [InlineData("feeds:\n  - type: tracee\n    listen: http://x/\n", "feeds[0].listen: not used by type 'tracee' (it takes: address, policies, maxMessageBytes, fallback, fallbackGraceSeconds, name)")]
    [InlineData("feeds:\n  - type: falco-grpc\n    address: unix:///run/falco.sock\n    tls: {certFile: a, keyFile: b, caFile: c}\n", "feeds[0].tls: only for a TCP address")]
    [InlineData("feeds:\n  - type: falco-http\n    listen: ftp://x/\n", "feeds[0].listen: must match the pattern ^https?://")]
    [InlineData("feeds:\n  - type: tracee\n    address: nowhere\n", "feed address 'nowhere' is not unix:/PATH")]
    [InlineData("feeds:\n  - type: k8s-audit\n    listen: http://audit.example/\n", "listen 'http://audit.example/' must be an http:// or https:// URL with an IP address")]
    [InlineData("feeds:\n  - type: tracee\nadmin:\n  listen: http://[bad\n", "admin.listen 'http://[bad' must be an http:// or https:// URL with an IP address")]
    [InlineData("feeds:\n  - type: falco-grpc\n    address: tcp:127.0.0.1:5060\n    tls: {certFile: /nonexistent.crt, keyFile: /nonexistent.key, caFile: /nonexistent.ca}\n", "cannot load the TLS files")]
    public async Task Run_BadFeedConfig_ExitsTwoWithTheReason(string yaml, string expected)
    {
        string config = _folder.File("bad.yaml", yaml);

        SigsProcess.Result result = await SigsProcess.RunAsync(["run", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_FeedDown_IsNotReadyWithTheReason_ButLive()
    {
        string missing = Path.Combine(_folder.Path, "nobody-listens.sock");
        using SigsProcess sigs = StartSigs($"tracee:unix:{missing}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_adminPort}") };
        HttpResponseMessage? health = null;

        await Eventually.TrueAsync(() => (health = TryGet(http, "/healthz")) is not null, "the admin endpoint");
        using HttpResponseMessage ready = await http.GetAsync("/readyz");
        using HttpResponseMessage live = await http.GetAsync("/livez");
        SigsProcess.Result healthLive = await SigsProcess.RunAsync(["health", $"http://127.0.0.1:{_adminPort}/livez"]);
        SigsProcess.Result healthReady = await SigsProcess.RunAsync(["health", $"http://127.0.0.1:{_adminPort}/readyz"]);
        await StopAsync(sigs);
        SigsProcess.Result healthGone = await SigsProcess.RunAsync(["health", $"http://127.0.0.1:{_adminPort}/livez"]);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health!.StatusCode);
        Assert.Equal($"feed tracee (tracee:unix:{missing}) is not connected\n", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal($"feed tracee (tracee:unix:{missing}) is not connected\n", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode); // a restart would not bring the sensor back
        Assert.Equal("ok\n", await live.Content.ReadAsStringAsync());
        Assert.Equal((0, $"http://127.0.0.1:{_adminPort}/livez: 200 ok"), (healthLive.ExitCode, healthLive.Stdout.TrimEnd()));
        Assert.Equal((1, $"http://127.0.0.1:{_adminPort}/readyz: 503 feed tracee (tracee:unix:{missing}) is not connected"), (healthReady.ExitCode, healthReady.Stdout.TrimEnd()));
        Assert.Equal(1, healthGone.ExitCode);
        Assert.StartsWith($"http://127.0.0.1:{_adminPort}/livez: no answer: ", healthGone.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AdminPortTaken_FailsAtStartWithOneClearLine()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, _adminPort);
        taken.Start();

        using SigsProcess sigs = StartSigs($"tracee:unix:{Path.Combine(_folder.Path, "x.sock")}");
        SigsProcess.Result result = await sigs.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"sigs: error: admin endpoint cannot listen on http://127.0.0.1:{_adminPort}", result.Stderr, StringComparison.Ordinal);
    }

    private static HttpResponseMessage? TryGet(HttpClient http, string path)
    {
        try
        {
            return http.GetAsync(path).GetAwaiter().GetResult();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Run_UnknownFeedType_IsAUsageError()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["run", "--feed", "syslog:/dev/log"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("sigs: --feed 'syslog:/dev/log': type must be one of", result.Stderr, StringComparison.Ordinal);
    }
}
