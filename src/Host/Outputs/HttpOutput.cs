using System.Net.Http.Headers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>
/// POSTs each finding (Sigs JSON or a Falco alert) to a URL, one per request, in order. A network error, a 5xx,
/// 408 or 429 is retried with capped, jittered backoff until it is acknowledged (2xx); another 4xx means the
/// receiver will never take it, so it is dropped and counted. Findings wait in a bounded queue; with
/// <c>spoolDir</c> each one is written to disk first and deleted only once acknowledged, so findings survive a
/// receiver outage and a Sigs restart. What cannot be queued is dropped, counted and logged.
/// </summary>
internal sealed partial class HttpOutput : IFindingOutput
{
    private readonly Uri _url;
    private readonly bool _falcoFormat;
    private readonly string? _spoolDir;
    private readonly int _capacity;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private readonly ReconnectDelays _delays;
    private long _sequence;
    private long _spooled;
    private long _delivered;
    private long _dropped;
    private long _retries;
    private readonly TimeProvider _clock;

    public HttpOutput(Uri url, bool falcoFormat, IReadOnlyDictionary<string, string> headers, string? spoolDir, int capacity, TimeSpan timeout, ILogger logger, ReconnectDelays? delays = null, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _url = url;
        _falcoFormat = falcoFormat;
        _spoolDir = spoolDir;
        _capacity = capacity;
        _logger = logger;
        _delays = delays ?? ReconnectDelays.Default;
        _http = new HttpClient { Timeout = timeout };
        foreach ((string name, string value) in headers)
        {
            _http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity) { SingleReader = true });
        if (_spoolDir is not null)
        {
            Directory.CreateDirectory(_spoolDir);
            RequeueSpool();
        }

        _sender = Task.Run(SendLoopAsync);
    }

    public string Name => $"http:{_url}";

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Retries => Interlocked.Read(ref _retries);

    public DeliveryCounts Deliveries => new(Delivered, Retries, Dropped, _queue.Reader.Count, Interlocked.Read(ref _spooled));

    public void Write(Finding finding, ReadOnlyMemory<byte> json)
    {
        byte[] body = _falcoFormat ? FalcoAlertFormat.Serialize(finding) : json.ToArray();
        string? spooled = null;
        if (_spoolDir is not null)
        {
            if (Interlocked.Read(ref _spooled) >= _capacity)
            {
                Drop(finding.Signature.Id, "the spool is full");
                return;
            }

            spooled = Spool(body);
        }

        if (!_queue.Writer.TryWrite(new Pending(body, spooled)))
        {
            Drop(finding.Signature.Id, "the queue is full");
            if (spooled is not null)
            {
                Unspool(spooled);
            }
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (!_sender.Wait(TimeSpan.FromSeconds(5)))
        {
            _stop.Cancel();
            _sender.Wait(TimeSpan.FromSeconds(5));
        }

        int left = _queue.Reader.Count;
        if (left > 0)
        {
            LogUndelivered(_logger, Name, left, _spoolDir is null ? "they are lost" : $"they stay in {_spoolDir} for the next start");
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (Pending pending in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await DeliverAsync(pending).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping; what is left is reported by Dispose.
        }
    }

    /// <summary>Sends one finding until it is acknowledged or refused for good.</summary>
    private async Task DeliverAsync(Pending pending)
    {
        var backoff = new Backoff(_delays.Initial, _delays.Maximum);
        bool failing = false;
        while (true)
        {
            string failure;
            try
            {
                using var content = new ByteArrayContent(pending.Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using HttpResponseMessage response = await _http.PostAsync(_url, content, _stop.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status is >= 200 and < 300)
                {
                    Interlocked.Increment(ref _delivered);
                    if (pending.SpoolFile is not null)
                    {
                        Unspool(pending.SpoolFile);
                    }

                    if (failing)
                    {
                        LogRecovered(_logger, Name);
                    }

                    return;
                }

                if (status is >= 400 and < 500 and not 408 and not 429)
                {
                    Drop("(finding)", $"{_url} refused it with HTTP {status}");
                    if (pending.SpoolFile is not null)
                    {
                        Unspool(pending.SpoolFile);
                    }

                    return;
                }

                failure = $"HTTP {status}";
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
            catch (TaskCanceledException) when (!_stop.IsCancellationRequested)
            {
                failure = $"no answer within {_http.Timeout.TotalSeconds} s";
            }

            if (!failing)
            {
                LogFailing(_logger, Name, failure);
                failing = true;
            }

            Interlocked.Increment(ref _retries);
            await Task.Delay(backoff.Next(), _clock, _stop.Token).ConfigureAwait(false);
        }
    }

    private string Spool(byte[] body)
    {
        string name = Path.Combine(_spoolDir!, $"{_clock.GetUtcNow().UtcTicks:D20}-{Interlocked.Increment(ref _sequence):D10}.json");
        string temporary = name + ".tmp";
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            file.Write(body);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, name);
        Interlocked.Increment(ref _spooled);
        return name;
    }

    private void Unspool(string file)
    {
        File.Delete(file);
        Interlocked.Decrement(ref _spooled);
    }

    /// <summary>Findings spooled by an earlier run go first, oldest first.</summary>
    private void RequeueSpool()
    {
        string[] spooled = [.. Directory.EnumerateFiles(_spoolDir!, "*.json").Order(StringComparer.Ordinal)];
        Interlocked.Exchange(ref _spooled, spooled.Length);
        foreach (string file in spooled.Take(_capacity))
        {
            _queue.Writer.TryWrite(new Pending(File.ReadAllBytes(file), file));
        }

        if (spooled.Length > 0)
        {
            LogRequeued(_logger, Name, Math.Min(spooled.Length, _capacity), _spoolDir!);
        }
    }

    private void Drop(string signature, string reason)
    {
        Interlocked.Increment(ref _dropped);
        LogDropped(_logger, Name, signature, reason, Dropped);
    }

    private sealed record Pending(byte[] Body, string? SpoolFile);
}
