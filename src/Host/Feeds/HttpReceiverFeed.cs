using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>
/// A feed that sensors push to: a Kestrel endpoint accepting JSON POSTs. It answers at once: 200 when the
/// events were queued, 400 for a payload it cannot decode, 413 when too large, 415 for another media type, and
/// 503 (with Retry-After) when the engine's queue is full or the receiver is at its limits (counted; the sender
/// decides whether to retry). Memory is bounded by <see cref="ReceiverLimits"/>.
/// </summary>
internal abstract partial class HttpReceiverFeed : IEventFeed
{
    private readonly Uri _listen;
    private readonly ReceiverLimits _limits;
    private readonly WebAccess _access;
    private readonly ConnectionLimits _connections;
    private readonly ILogger _logger;
    private readonly DecodeErrorLog _decodeErrors;
    private int _mediaTypeLogged;
    private int _inFlight;
    private long _buffered;

    protected HttpReceiverFeed(string type, string listen, ReceiverLimits limits, WebAccess access, ILogger logger)
    {
        _listen = LoopbackWebApp.ParseListen(listen, "listen", "http://127.0.0.1:2801/");
        Name = $"{type}:{listen}";
        _limits = limits;
        _access = access;
        _connections = new ConnectionLimits(OnConnectionRefused);
        _logger = logger;
        _decodeErrors = new DecodeErrorLog(Name, Counters, logger);
    }

    /// <summary>Bytes of request bodies being received right now, over all requests.</summary>
    public long BufferedBytes => Interlocked.Read(ref _buffered);

    public string Name { get; }

    public FeedCounters Counters { get; } = new();

    /// <summary>The address Kestrel bound, once listening (a port of 0 in the URL picks a free one).</summary>
    public Uri? BoundAddress { get; private set; }

    /// <summary>What the sender should change when it posts another media type, as "; ..." (empty for none).</summary>
    protected virtual string UnsupportedMediaTypeAdvice => string.Empty;

    /// <summary>Decodes a request body in the receiver's one format; a body in another is refused, saying so.</summary>
    protected abstract DecodedInput Decode(ReadOnlySpan<byte> body);

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        _access.WarnIfExposed(_listen, $"Feed {Name}", _logger);
        await using WebApplication app = LoopbackWebApp.Create(_listen, _access, _limits.MaxBodyBytes, _connections);
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

    /// <summary>A client address held its share of connections: counted as refused, logged the 1st, 2nd, 4th... time.</summary>
    private void OnConnectionRefused(System.Net.IPAddress address, long refused)
    {
        Counters.CountRejected();
        if (long.IsPow2(refused))
        {
            LogConnectionRefused(_logger, Name, address.ToString(), ConnectionLimits.DefaultPerAddress, refused);
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

        if (request.ContentLength > _limits.MaxBodyBytes)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, $"body of {request.ContentLength} bytes exceeds the maximum of {_limits.MaxBodyBytes}").ConfigureAwait(false);
            return;
        }

        if (Interlocked.Increment(ref _inFlight) > _limits.MaxConcurrentRequests)
        {
            Interlocked.Decrement(ref _inFlight);
            context.Response.Headers.RetryAfter = "1";
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, $"over {_limits.MaxConcurrentRequests} requests being received at once").ConfigureAwait(false);
            return;
        }

        try
        {
            using var reservation = new BodyReservation(this);
            (byte[]? body, int status, string? refusal) = await ReadBodyAsync(request, reservation, context.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                if (status == StatusCodes.Status503ServiceUnavailable)
                {
                    context.Response.Headers.RetryAfter = "1";
                }

                await RefuseAsync(context, status, refusal!).ConfigureAwait(false);
                return;
            }

            await AcceptAsync(context, sink, body).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Reads the body while counting its bytes against the receiver's total; null, the status and the reason when over a limit.</summary>
    private async Task<(byte[]? Body, int Status, string? Refusal)> ReadBodyAsync(HttpRequest request, BodyReservation reservation, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(request.ContentLength is long length and > 0 ? (int)Math.Min(length, _limits.MaxBodyBytes) : 4096);
        byte[] chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (reservation.Add(read) > _limits.MaxBufferedBytes)
                {
                    return (null, StatusCodes.Status503ServiceUnavailable, $"receiver holds over {_limits.MaxBufferedBytes} bytes of bodies being received");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"body exceeds the maximum of {_limits.MaxBodyBytes} bytes");
        }

        return (buffer.ToArray(), StatusCodes.Status200OK, null);
    }

    /// <summary>One request's share of the receiver's buffered bytes, given back when the request is done, however it ends.</summary>
    private sealed class BodyReservation(HttpReceiverFeed feed) : IDisposable
    {
        private long _bytes;

        /// <summary>Adds <paramref name="bytes"/> to this request's share; returns the receiver's total.</summary>
        public long Add(int bytes)
        {
            _bytes += bytes;
            return Interlocked.Add(ref feed._buffered, bytes);
        }

        public void Dispose() => Interlocked.Add(ref feed._buffered, -_bytes);
    }

    private async Task AcceptAsync(HttpContext context, IEventSink sink, byte[] body)
    {
        DecodedInput decoded = Decode(body);
        foreach (string problem in decoded.Problems)
        {
            _decodeErrors.Report(problem);
        }

        if (decoded.Refused)
        {
            // Whatever a decoder did not expect of this body is a 400 with its reason, never a crash.
            await WriteAsync(context, StatusCodes.Status400BadRequest, decoded.Problems[0]).ConfigureAwait(false);
            return;
        }

        List<SecurityEvent> events = decoded.Events;

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
}
