using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sigs.Host.Hosting;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>
/// A feed that sensors push to: a Kestrel endpoint accepting JSON POSTs. It answers at once: 200 when the
/// events were queued, 400 for a payload it cannot decode, 413 when too large, 415 for another media type, and
/// 503 when the engine's queue is full (counted; the sender decides whether to retry).
/// </summary>
internal abstract partial class HttpReceiverFeed : IEventFeed
{
    private readonly Uri _listen;
    private readonly long _maxBodyBytes;
    private readonly ILogger _logger;
    private readonly DecodeErrorLog _decodeErrors;
    private int _mediaTypeLogged;

    protected HttpReceiverFeed(string type, string listen, long maxBodyBytes, ILogger logger)
    {
        _listen = LoopbackWebApp.ParseListen(listen, "listen", "http://127.0.0.1:2801/");
        Name = $"{type}:{listen}";
        _maxBodyBytes = maxBodyBytes;
        _logger = logger;
        _decodeErrors = new DecodeErrorLog(Name, Counters, logger);
    }

    public string Name { get; }

    public FeedCounters Counters { get; } = new();

    /// <summary>The address Kestrel bound, once listening (a port of 0 in the URL picks a free one).</summary>
    public Uri? BoundAddress { get; private set; }

    /// <summary>What the sender should change when it posts another media type, as "; ..." (empty for none).</summary>
    protected virtual string UnsupportedMediaTypeAdvice => string.Empty;

    /// <summary>Decodes one request body's JSON; bad parts go to <paramref name="reportBadPart"/>, and a wholly bad body throws.</summary>
    protected abstract void Decode(JsonElement root, List<SecurityEvent> events, Action<string> reportBadPart);

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        await using WebApplication app = LoopbackWebApp.Create(_listen, _maxBodyBytes);
        app.MapPost(_listen.AbsolutePath, context => ReceiveAsync(context, sink));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        BoundAddress = new Uri(LoopbackWebApp.BoundAddress(app), _listen.AbsolutePath);
        Counters.SetConnected(true);
        LogListening(_logger, Name, BoundAddress);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stop requested.
        }
        finally
        {
            Counters.SetConnected(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task ReceiveAsync(HttpContext context, IEventSink sink)
    {
        HttpRequest request = context.Request;
        if (!MediaTypeIsJson(request.ContentType))
        {
            // Counted every time, logged once: a sensor misconfigured this way sends nothing else.
            string reason = $"content-type '{request.ContentType ?? "(none)"}' is not application/json{UnsupportedMediaTypeAdvice}";
            Counters.CountRejected();
            if (Interlocked.Exchange(ref _mediaTypeLogged, 1) == 0)
            {
                LogMediaTypeRefused(_logger, Name, reason);
            }

            await WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, reason).ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > _maxBodyBytes)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, $"body of {request.ContentLength} bytes exceeds the maximum of {_maxBodyBytes}").ConfigureAwait(false);
            return;
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, $"body exceeds the maximum of {_maxBodyBytes} bytes").ConfigureAwait(false);
            return;
        }

        var events = new List<SecurityEvent>();
        try
        {
            using JsonDocument document = JsonFieldsDocument.Parse(body);
            Decode(document.RootElement, events, _decodeErrors.Report);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The boundary: whatever a decoder did not expect of this body is a 400 with its reason, never a crash.
            string reason = ex is EventDecodeException ? ex.Message : $"cannot decode: {ex.GetType().Name}: {ex.Message}";
            _decodeErrors.Report(reason);
            await WriteAsync(context, StatusCodes.Status400BadRequest, reason).ConfigureAwait(false);
            return;
        }

        if (!sink.TryPublishAll(events))
        {
            context.Response.Headers.RetryAfter = "1";
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, $"queue full; {events.Count} events not accepted").ConfigureAwait(false);
            return;
        }

        foreach (SecurityEvent securityEvent in events)
        {
            Counters.CountEvent(securityEvent.Name);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static bool MediaTypeIsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private async Task RefuseAsync(HttpContext context, int status, string reason)
    {
        Counters.CountRejected();
        LogRefused(_logger, Name, status, reason);
        await WriteAsync(context, status, reason).ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Feed} listening on {Address}")]
    private static partial void LogListening(ILogger logger, string feed, Uri address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Feed} answered 415: {Reason} (logged once; every refusal is counted)")]
    private static partial void LogMediaTypeRefused(ILogger logger, string feed, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Feed} answered {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string feed, int status, string reason);
}
