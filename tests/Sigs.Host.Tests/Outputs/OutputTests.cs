using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Sigs.Host.Common;
using Sigs.Host.Engine;
using Sigs.Host.Hosting;
using Sigs.Host.Outputs;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Outputs;

/// <summary>The file and HTTP outputs, the latter against a real receiver that misbehaves on purpose.</summary>
[Trait("Category", "Slow")]
public sealed class OutputTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly ConcurrentQueue<string> _received = new();
    private readonly int _port = Ports.Free();
    private WebApplication? _receiver;
    private Func<int, int> _answer = _ => 200;
    private int _requests;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await StopReceiverAsync();
        _folder.Dispose();
    }

    private Uri Url => new($"http://127.0.0.1:{_port}/findings");

    private static Finding MakeFinding(int n, Severity severity = Severity.High) => new(
        DateTimeOffset.UnixEpoch.AddSeconds(n),
        new SignatureMetadata { Id = "TRC-1018", Version = "1", Name = "K8s TLS certificate theft detected", EventName = "k8s_cert_theft", Description = "d", Severity = severity, Tactics = ["TA0006"], Techniques = ["T1528"], Tags = ["kubernetes"] },
        new SecurityEvent
        {
            Time = DateTimeOffset.UnixEpoch.AddSeconds(n),
            Source = EventSources.Tracee,
            Name = EventNames.FileOpen,
            Origin = EventOrigin.Container,
            HostName = "node-1",
            Process = new ProcessInfo { HostPid = 4000 + n, Name = "cat", Args = ["cat", "/etc/kubernetes/pki/ca.key"] },
            Container = new ContainerInfo { Id = "c0ffee" },
            Kubernetes = new KubernetesInfo { PodName = "web-1", Namespace = "shop" },
            File = new FileEventInfo { Path = "/etc/kubernetes/pki/ca.key", Flags = 0 },
        },
        new Dictionary<string, object?> { ["n"] = n });

    private static void Write(IFindingOutput output, Finding finding) => output.Write(finding, FindingJson.Serialize(finding));

    /// <summary>A receiver whose answer to request number k (1-based) is <see cref="_answer"/>(k); a negative answer means "wait that many ms, then 200".</summary>
    private async Task StartReceiverAsync()
    {
        _receiver = LoopbackWebApp.Create(new Uri($"http://127.0.0.1:{_port}"), WebAccess.Open);
        _receiver.MapPost("/findings", async context =>
        {
            int k = Interlocked.Increment(ref _requests);
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync();
            int answer = _answer(k);
            if (answer < 0)
            {
                await Task.Delay(-answer);
                answer = 200;
            }

            if (answer == 200)
            {
                _received.Enqueue(body);
            }

            context.Response.StatusCode = answer;
        });
        await _receiver.StartAsync();
    }

    private async Task StopReceiverAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.StopAsync();
            await _receiver.DisposeAsync();
            _receiver = null;
        }
    }

    private DeliveringOutput Http(bool falco = false, string? spool = null, int capacity = 1000, IReadOnlyDictionary<string, string>? headers = null) =>
        new(new HttpTarget(Url, falco, headers ?? new Dictionary<string, string>(), TimeSpan.FromSeconds(10)), spool, capacity, _logs.CreateLogger("http"), new ReconnectDelays(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)));

    private List<int> ReceivedNumbers() =>
        [.. _received.Select(body => JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("n").GetInt32())];

    [Fact]
    public async Task Http_ReceiverDownThenFailingThenSlowThenFine_GetsEveryFindingOnceInOrder()
    {
        using DeliveringOutput output = Http();
        for (int n = 0; n < 10; n++)
        {
            Write(output, MakeFinding(n)); // the receiver is not even listening yet
        }

        await Task.Delay(300);
        _answer = k => k <= 3 ? 500 : k <= 5 ? -1500 : k == 6 ? 503 : 200;
        await StartReceiverAsync();
        for (int n = 10; n < 20; n++)
        {
            Write(output, MakeFinding(n));
        }

        await Eventually.TrueAsync(() => _received.Count == 20, "all 20 findings");
        await Task.Delay(300);

        Assert.Equal(Enumerable.Range(0, 20), ReceivedNumbers());
        Assert.Equal(20, output.Delivered);
        Assert.Equal(0, output.Dropped);
        Assert.True(output.Retries >= 4);
        Assert.Equal((20, output.Retries, 0, 0), (output.Deliveries.Delivered, output.Deliveries.Retries, output.Deliveries.Dropped, output.Deliveries.Queued));
        // Two outages (down and 500s, then a 503 after recovering): each state change is logged once.
        Assert.Equal(2, _logs.LinesContaining("is failing").Count);
        Assert.Equal(2, _logs.LinesContaining("recovered").Count);
    }

    [Fact]
    public async Task Http_SpoolDir_KeepsFindingsAcrossARestartUntilAcknowledged()
    {
        string spool = Path.Combine(_folder.Path, "spool");
        using (DeliveringOutput first = Http(spool: spool))
        {
            for (int n = 0; n < 5; n++)
            {
                Write(first, MakeFinding(n)); // the receiver is down: nothing can be delivered
            }
        }

        Assert.Equal(5, Directory.GetFiles(spool, "*.json").Length);
        await StartReceiverAsync();
        using DeliveringOutput second = Http(spool: spool);
        Write(second, MakeFinding(5));

        await Eventually.TrueAsync(() => _received.Count == 6, "the spooled findings and the new one");
        Assert.Equal(Enumerable.Range(0, 6), ReceivedNumbers());
        await Eventually.TrueAsync(() => Directory.GetFiles(spool).Length == 0, "the spool to empty as findings are acknowledged");
        Assert.Single(_logs.LinesContaining("5 spooled messages from"));
    }

    [Fact]
    public async Task Http_RefusedWith4xx_IsDroppedCountedAndTheQueueMovesOn()
    {
        _answer = k => k == 1 ? 400 : 200;
        await StartReceiverAsync();
        using DeliveringOutput output = Http();

        Write(output, MakeFinding(0));
        Write(output, MakeFinding(1));

        await Eventually.TrueAsync(() => _received.Count == 1, "the second finding");
        Assert.Equal([1], ReceivedNumbers());
        Assert.Equal(1, output.Dropped);
        Assert.Single(_logs.LinesContaining("refused it with HTTP 400"));
    }

    [Fact]
    public async Task Http_QueueFull_DropsAndCounts()
    {
        using DeliveringOutput output = Http(capacity: 2);

        for (int n = 0; n < 6; n++)
        {
            Write(output, MakeFinding(n)); // receiver down: the sender holds one, the queue two
        }

        await Eventually.TrueAsync(() => output.Dropped >= 3, "drops to be counted");
        Assert.Contains(_logs.Lines, l => l.Contains("the queue is full", StringComparison.Ordinal));
    }

    [Fact]
    public void Http_SpoolFull_DropsAndCountsAndKeepsTheSpoolBounded()
    {
        string spool = Path.Combine(_folder.Path, "spool");
        using DeliveringOutput output = Http(spool: spool, capacity: 2);

        for (int n = 0; n < 6; n++)
        {
            Write(output, MakeFinding(n)); // receiver down: nothing is acknowledged
        }

        Assert.Equal(2, Directory.GetFiles(spool, "*.json").Length);
        Assert.Equal(4, output.Dropped);
        Assert.Equal((0, 4, 2), (output.Deliveries.Delivered, output.Deliveries.Dropped, output.Deliveries.Spooled)); // what /metrics shows
        Assert.Contains(_logs.Lines, l => l.Contains("the spool is full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http_FalcoFormat_IsAFalcoAlertWithMappedPriorityAndHeaders()
    {
        string? authorization = null;
        _receiver = LoopbackWebApp.Create(new Uri($"http://127.0.0.1:{_port}"), WebAccess.Open);
        _receiver.MapPost("/findings", async context =>
        {
            authorization = context.Request.Headers.Authorization;
            using var reader = new StreamReader(context.Request.Body);
            _received.Enqueue(await reader.ReadToEndAsync());
        });
        await _receiver.StartAsync();
        using DeliveringOutput output = Http(falco: true, headers: new Dictionary<string, string> { ["Authorization"] = "Bearer t0ken" });

        Write(output, MakeFinding(7, Severity.Medium));

        await Eventually.TrueAsync(() => _received.Count == 1, "the alert");
        JsonElement alert = JsonDocument.Parse(_received.Single()).RootElement;
        Assert.Equal("Bearer t0ken", authorization);
        Assert.Equal("K8s TLS certificate theft detected", alert.GetProperty("rule").GetString());
        Assert.Equal("Warning", alert.GetProperty("priority").GetString());
        Assert.Equal("sigs", alert.GetProperty("source").GetString());
        Assert.Equal("node-1", alert.GetProperty("hostname").GetString());
        Assert.Equal("1970-01-01T00:00:07.0000000Z", alert.GetProperty("time").GetString());
        Assert.Contains("TRC-1018", alert.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        JsonElement fields = alert.GetProperty("output_fields");
        Assert.Equal("/etc/kubernetes/pki/ca.key", fields.GetProperty("fd.name").GetString());
        Assert.Equal("cat", fields.GetProperty("proc.name").GetString());
        Assert.Equal("web-1", fields.GetProperty("k8s.pod.name").GetString());
        Assert.Equal(47, fields.GetProperty("sigs.severity").GetInt32());
        Assert.StartsWith("K8s TLS certificate theft detected (", alert.GetProperty("output").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Severity.Info, "Informational", 0)]
    [InlineData(Severity.Low, "Notice", 21)]
    [InlineData(Severity.Medium, "Warning", 47)]
    [InlineData(Severity.High, "Error", 73)]
    [InlineData(Severity.Critical, "Critical", 99)]
    public void SeverityMapping_FollowsTheDocumentedTable(Severity severity, string falco, int ecs)
    {
        Assert.Equal((falco, ecs), (SeverityMapping.FalcoPriority(severity), SeverityMapping.EcsSeverity(severity)));
    }

    [Fact]
    public void File_Rotation_LosesNoLineAndNeverSplitsOne()
    {
        string path = Path.Combine(_folder.Path, "out", "findings.jsonl");
        using (var output = new RotatingFileOutput(path, maxSizeMB: 0.01, maxFiles: 100, fsyncInterval: TimeSpan.FromMilliseconds(50)))
        {
            for (int n = 0; n < 300; n++)
            {
                Write(output, MakeFinding(n));
            }
        }

        string[] files = [.. Directory.GetFiles(Path.GetDirectoryName(path)!).OrderByDescending(f => f.Length).ThenByDescending(f => f, StringComparer.Ordinal)];
        IEnumerable<int> numbers = files
            .OrderByDescending(f => f == path ? 0 : int.Parse(f[(path.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("data").GetProperty("n").GetInt32());
        Assert.True(files.Length > 10, $"{files.Length} files");
        Assert.Equal(Enumerable.Range(0, 300), numbers);
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, (long)(0.01 * 1024 * 1024)));
    }

    [Fact]
    public void File_DisposeWhileTheFsyncTimerFires_DoesNotCrash()
    {
        // Timer.Dispose does not wait for a callback already running or queued: a sync after close must be a no-op,
        // not an ObjectDisposedException on a thread-pool thread (which ends the process).
        string path = Path.Combine(_folder.Path, "fsync.jsonl");
        for (int round = 0; round < 300; round++)
        {
            using var output = new RotatingFileOutput(path, maxSizeMB: null, maxFiles: 1, fsyncInterval: TimeSpan.FromMilliseconds(1));
            Write(output, MakeFinding(round));
            Thread.Sleep(1 + (round % 3));
        }

        Thread.Sleep(50);
        Assert.Equal(300, File.ReadLines(path).Count());
    }

    [Fact]
    public void File_Rotation_KeepsAtMostMaxFiles()
    {
        string path = Path.Combine(_folder.Path, "findings.jsonl");
        using (var output = new RotatingFileOutput(path, maxSizeMB: 0.005, maxFiles: 3, fsyncInterval: null))
        {
            for (int n = 0; n < 200; n++)
            {
                Write(output, MakeFinding(n));
            }
        }

        Assert.Equal([path, path + ".1", path + ".2", path + ".3"], Directory.GetFiles(_folder.Path).Order(StringComparer.Ordinal));
        int last = JsonDocument.Parse(File.ReadLines(path).Last()).RootElement.GetProperty("data").GetProperty("n").GetInt32();
        Assert.Equal(199, last);
    }
}
