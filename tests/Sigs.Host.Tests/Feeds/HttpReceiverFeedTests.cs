using System.Net;
using System.Text;
using Sigs.Host.Common;
using Sigs.Host.Enrichment;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.KubernetesAudit;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds;

/// <summary>Falco's http_output receiver and the audit webhook, as real Kestrel endpoints on loopback.</summary>
public sealed class HttpReceiverFeedTests : IAsyncLifetime
{
    private static readonly string Alert = File.ReadLines(Path.Combine(RepoPaths.Examples, "03-node-falco.jsonl")).First();
    private static readonly string AuditEvent = File.ReadLines(Path.Combine(RepoPaths.Examples, "04-pod-session-mixed.jsonl")).Last();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CollectingEventSink _sink = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new();
    private Task? _running;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running;
        }

        _http.Dispose();
    }

    private async Task<Uri> StartAsync(HttpReceiverFeed feed)
    {
        _running = feed.RunAsync(_sink, _stop.Token);
        await Eventually.TrueAsync(() => feed.BoundAddress is not null, "the receiver to listen");
        return feed.BoundAddress!;
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(Uri uri, string body, string mediaType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8, mediaType);
        using HttpResponseMessage response = await _http.PostAsync(uri, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private FalcoHttpFeed Falco(long maxBody = FalcoHttpFeed.DefaultMaxBodyBytes, WebAccess? access = null) =>
        new("http://127.0.0.1:0/", new ReceiverLimits(maxBody), access ?? WebAccess.Open, _logs.CreateLogger("falco-http"));

    private AuditWebhookFeed Audit(ReceiverLimits? limits = null) =>
        new("http://127.0.0.1:0/k8s-audit", limits ?? new ReceiverLimits(AuditWebhookFeed.DefaultMaxBodyBytes), WebAccess.Open, _logs.CreateLogger("k8s-audit"));

    /// <summary>An alert without <c>proc.tty</c> from a real process on this node: the terminal comes from /proc.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FalcoHttp_AlertWithoutATerminal_GetsItFromProc_ForTheSameProcessOnly(bool sameName)
    {
        using RunningProcess real = await RunningProcess.WithTerminalAsync();
        var alert = System.Text.Json.Nodes.JsonNode.Parse(Alert)!;
        var fields = alert["output_fields"]!.AsObject();
        fields.Remove("proc.tty");
        fields["proc.pid"] = real.Pid;
        fields["proc.name"] = sameName ? "sleep" : "head";
        fields["evt.time"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        alert["time"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        FalcoHttpFeed inner = Falco();
        var feed = new ProcFillingFeed(inner, new ProcFactFiller());
        _running = feed.RunAsync(_sink, _stop.Token);
        await Eventually.TrueAsync(() => inner.BoundAddress is not null, "the receiver to listen");

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(inner.BoundAddress!, alert.ToJsonString())).Status);

        await _sink.WaitForCountAsync(1);
        Assert.Equal(sameName ? true : null, _sink.Events[0].Process!.Interactive);
        Assert.Equal(sameName ? 1 : 0, feed.Counters.Gauges.GetValueOrDefault(FeedGauge.ProcFactsFilled));
        Assert.Equal(sameName ? 0 : 1, feed.Counters.Gauges.GetValueOrDefault(FeedGauge.ProcFactsUnknown));
    }

    [Fact]
    public void FalcoHttp_FillsFromProc_ByDefaultOnlyWhenListeningOnLoopback()
    {
        var context = new FeedContext(_logs, ReconnectDelays.Default, () => Sigs.Host.Feeds.WatchPlan.Empty, TimeProvider.System);
        bool canFill = ProcFactFiller.WhyNot() is null;

        Assert.Equal(canFill, new FalcoHttpFeedType().Create(new FalcoHttpFeedOptions { Listen = "http://127.0.0.1:0/" }, context) is ProcFillingFeed);
        Assert.IsType<FalcoHttpFeed>(new FalcoHttpFeedType().Create(new FalcoHttpFeedOptions { Listen = "http://0.0.0.0:0/" }, context));
        Assert.IsType<FalcoHttpFeed>(new FalcoHttpFeedType().Create(new FalcoHttpFeedOptions { Listen = "http://127.0.0.1:0/", FillFromProc = false }, context));
    }

    [Fact]
    public async Task FalcoHttp_ValidAlert_IsAcceptedAndMapped()
    {
        FalcoHttpFeed feed = Falco();
        Uri uri = await StartAsync(feed);

        var (status, _) = await PostAsync(uri, Alert);

        Assert.Equal(HttpStatusCode.OK, status);
        SecurityEvent e = Assert.Single(_sink.Events);
        Assert.Equal("/var/lib/kubelet/pki/kubelet.crt", e.File!.Path);
        Assert.Equal(1, feed.Counters.Events);
        Assert.True(feed.Counters.Connected);
    }

    [Theory]
    [InlineData("{not json", "application/json", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("""{"hello":"world"}""", "application/json", HttpStatusCode.BadRequest, "not a Falco alert")]
    [InlineData("""{"rule":"r","time":"2025-11-02T10:00:00Z","output_fields":{"evt.type":"connect"}}""", "application/json", HttpStatusCode.BadRequest, "evt.type 'connect' has no contract event")]
    [InlineData("{}", "text/plain", HttpStatusCode.UnsupportedMediaType, "content-type 'text/plain; charset=utf-8' is not application/json")]
    public async Task FalcoHttp_BadRequest_IsRefusedCountedAndTheNextOneStillWorks(string body, string mediaType, HttpStatusCode expected, string reason)
    {
        FalcoHttpFeed feed = Falco();
        Uri uri = await StartAsync(feed);

        var (status, text) = await PostAsync(uri, body, mediaType);
        var (after, _) = await PostAsync(uri, Alert);

        Assert.Equal(expected, status);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after);
        Assert.Single(_sink.Events);
        Assert.Equal(1, feed.Counters.DecodeErrors + feed.Counters.Rejected);
        Assert.Single(_logs.Lines, l => l.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FalcoHttp_TextAlertsWithoutJsonOutput_Are415NamingTheSetting_CountedEachTimeLoggedOnce()
    {
        FalcoHttpFeed feed = Falco();
        Uri uri = await StartAsync(feed);
        const string TextAlert = "10:00:10.000000000: Warning Sigs kubelet PKI read (user=root command=head /var/lib/kubelet/pki/kubelet.crt)";

        var (first, text) = await PostAsync(uri, TextAlert, "text/plain");
        var (second, _) = await PostAsync(uri, TextAlert, "text/plain");

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, HttpStatusCode.UnsupportedMediaType), (first, second));
        Assert.Contains("set json_output: true in falco.yaml", text, StringComparison.Ordinal);
        Assert.Equal(2, feed.Counters.Rejected);
        Assert.Single(_logs.Lines, l => l.Contains("json_output", StringComparison.Ordinal));
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task FalcoHttp_OversizedBody_Is413()
    {
        FalcoHttpFeed feed = Falco(maxBody: 2048);
        Uri uri = await StartAsync(feed);

        var (status, _) = await PostAsync(uri, Alert.Replace("\"output\":\"", "\"output\":\"" + new string('x', 4096), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Empty(_sink.Events);
        Assert.Equal(1, feed.Counters.Rejected);
    }

    [Fact]
    public async Task FalcoHttp_QueueFull_Is503AndCounted()
    {
        FalcoHttpFeed feed = Falco();
        Uri uri = await StartAsync(feed);
        _sink.Full = true;

        var (status, text) = await PostAsync(uri, Alert);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("queue full", text, StringComparison.Ordinal);
        Assert.Equal(1, feed.Counters.Rejected);
        Assert.Single(_logs.LinesContaining("answered 503"));
    }

    [Fact]
    public async Task FalcoHttp_OtherPathOrMethod_IsNotAccepted()
    {
        FalcoHttpFeed feed = Falco();
        Uri uri = await StartAsync(feed);

        using HttpResponseMessage get = await _http.GetAsync(uri);
        var (wrongPath, _) = await PostAsync(new Uri(uri, "/elsewhere"), Alert);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrongPath);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task AuditWebhook_EventList_KeepsGoodItemsAndCountsBadOnes()
    {
        AuditWebhookFeed feed = Audit();
        Uri uri = await StartAsync(feed);
        string body = $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{{AuditEvent}},{"kind":"Event","stage":"ResponseComplete"},{{AuditEvent}}]}""";

        var (status, _) = await PostAsync(uri, body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, _sink.Events.Count);
        Assert.All(_sink.Events, e => Assert.Equal(["web-7d4b9"], e.Audit!.RequestingPods));
        Assert.Equal(1, feed.Counters.DecodeErrors);
        Assert.Single(_logs.LinesContaining("items[1]: audit event has neither"));
    }

    /// <summary>Idle TCP connections that never send a byte, from <paramref name="source"/>.</summary>
    private static List<System.Net.Sockets.Socket> Idle(Uri uri, int count, string source)
    {
        var sockets = new List<System.Net.Sockets.Socket>();
        for (int i = 0; i < count; i++)
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            try
            {
                socket.Connect(IPAddress.Loopback, uri.Port);
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Refused or reset: the listener let no more in from there, which is the point.
            }

            sockets.Add(socket);
        }

        return sockets;
    }

    [Fact]
    public async Task AuditWebhook_WithIdleConnectionsHeld_StillAnswersTheApiServer_AndClosesThem()
    {
        // 64 idle sockets from the API server's own address (all Kestrel allowed before), then 1,000 from another:
        // a legitimate POST is answered all the same; the idle ones are closed for sending no request headers.
        AuditWebhookFeed feed = Audit();
        Uri uri = await StartAsync(feed);
        string body = $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{{AuditEvent}}]}""";
        List<System.Net.Sockets.Socket> held = Idle(uri, 64, "127.0.0.1");
        held.AddRange(Idle(uri, 1_000, "127.0.0.2"));
        try
        {
            var (status, _) = await PostAsync(uri, body);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Single(_sink.Events);
            Assert.True(feed.Counters.Rejected >= 1_000 - ConnectionLimits.DefaultPerAddress, $"{feed.Counters.Rejected} refused");
            Assert.NotEmpty(_logs.LinesContaining("closed a connection from 127.0.0.2 at once"));
            System.Net.Sockets.Socket first = held[0];
            await Eventually.TrueAsync(() => first.Poll(0, System.Net.Sockets.SelectMode.SelectRead) && first.Available == 0, "the server to close a connection that sent nothing", timeout: TimeSpan.FromMinutes(1));
        }
        finally
        {
            held.ForEach(socket => socket.Dispose());
        }
    }

    [Theory]
    [InlineData("[]", "not an audit.k8s.io EventList or Event")]
    [InlineData("""{"kind":"EventList","apiVersion":"audit.k8s.io/v1"}""", "EventList has no 'items' array")]
    public async Task AuditWebhook_WrongPayload_Is400(string body, string reason)
    {
        AuditWebhookFeed feed = Audit();
        Uri uri = await StartAsync(feed);

        var (status, text) = await PostAsync(uri, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receiver_StalledBodies_AreBoundedInCountAndBytes_AndTheMemoryIsGivenBack()
    {
        AuditWebhookFeed feed = Audit(new ReceiverLimits(16 * 1024 * 1024, MaxConcurrentRequests: 4, MaxBufferedBytes: 1024 * 1024));
        Uri uri = await StartAsync(feed);
        var stalled = new List<System.Net.Sockets.TcpClient>();
        var answers = new List<Task<string>>();
        for (int i = 0; i < 10; i++)
        {
            // Each declares 512 KiB, sends 400 KiB of it, then stalls before the last byte.
            var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, uri.Port);
            System.Net.Sockets.NetworkStream stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {uri.AbsolutePath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {512 * 1024}\r\n\r\n"));
            await stream.WriteAsync(new byte[400 * 1024]);
            stalled.Add(client);
            answers.Add(ReadStatusLineAsync(stream));
        }

        await Eventually.TrueAsync(() => answers.Count(a => a.IsCompleted) >= 6, "the requests over the limits to be refused");
        long held = feed.BufferedBytes;
        Assert.All(answers.Where(a => a.IsCompleted), a => Assert.StartsWith("HTTP/1.1 503", a.Result, StringComparison.Ordinal));
        Assert.InRange(held, 1, 1024 * 1024 + (16 * 1024));

        foreach (System.Net.Sockets.TcpClient client in stalled)
        {
            client.Dispose();
        }

        await Eventually.TrueAsync(() => feed.BufferedBytes == 0, "the stalled bodies' bytes to be given back");
        var (status, _) = await PostAsync(uri, AuditEvent);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(feed.Counters.Rejected >= 6);
    }

    private static async Task<string> ReadStatusLineAsync(System.Net.Sockets.NetworkStream stream)
    {
        byte[] buffer = new byte[256];
        try
        {
            int read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return "closed";
        }
    }

    [Theory]
    [InlineData("evil.example", HttpStatusCode.MisdirectedRequest)]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("[::1]", HttpStatusCode.OK)]
    [InlineData("127.0.0.1.evil.example", HttpStatusCode.MisdirectedRequest)]
    public async Task Receiver_OnLoopback_AnswersOnlyLoopbackHostNames(string host, HttpStatusCode expected)
    {
        Uri uri = await StartAsync(Falco());
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(Alert, Encoding.UTF8, "application/json") };
        request.Headers.Host = $"{host}:{uri.Port}";

        using HttpResponseMessage response = await _http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("Bearer wrong-token-wrong-token", HttpStatusCode.Unauthorized)]
    [InlineData("Bearer s3cret-token-for-tests", HttpStatusCode.OK)]
    public async Task Receiver_WithABearerToken_RequiresIt(string? authorization, HttpStatusCode expected)
    {
        string tokenFile = Path.Combine(Path.GetTempPath(), $"sigs-token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(tokenFile, "s3cret-token-for-tests\n");
        try
        {
            Uri uri = await StartAsync(Falco(access: WebAccess.FromTokenFile(tokenFile, "bearerTokenFile")));
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(Alert, Encoding.UTF8, "application/json") };
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using HttpResponseMessage response = await _http.SendAsync(request);

            Assert.Equal(expected, response.StatusCode);
            Assert.Equal(expected == HttpStatusCode.OK ? 1 : 0, _sink.Events.Count);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }
}
