using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Sigs.Host.Grpc;

/// <summary>
/// The narrow gRPC surface Sigs needs: one streaming call, whose requests a delegate writes and whose responses
/// come back as parsed messages. Everything gRPC-specific stays in this folder, so swapping in Grpc.Net.Client
/// later touches nothing else.
/// </summary>
internal interface IGrpcClient : IDisposable
{
    IAsyncEnumerable<TResponse> StreamAsync<TResponse>(
        string method,
        Func<GrpcRequestWriter, CancellationToken, Task> writeRequests,
        MessageParser<TResponse> parser,
        GrpcCallOptions options,
        CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>;
}

/// <param name="MaxMessageBytes">Larger response messages are refused before any buffer is allocated for them.</param>
/// <param name="Deadline">How long the whole call may take; null for none (long-lived streams).</param>
/// <param name="OnMalformedMessage">Called with a reason for a frame whose protobuf cannot be parsed; the frame is skipped.</param>
/// <param name="OnResponseHeaders">Called once the server has accepted the call (valid response headers arrived).</param>
internal sealed record GrpcCallOptions(
    int MaxMessageBytes = GrpcCallOptions.DefaultMaxMessageBytes,
    TimeSpan? Deadline = null,
    Action<string>? OnMalformedMessage = null,
    Action? OnResponseHeaders = null)
{
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;
}

/// <summary>Writes length-prefixed request messages into the call's HTTP/2 request stream.</summary>
internal sealed class GrpcRequestWriter(Stream stream)
{
    public async Task WriteAsync(IMessage message, CancellationToken cancellationToken)
    {
        int size = message.CalculateSize();
        byte[] frame = ArrayPool<byte>.Shared.Rent(size + 5);
        try
        {
            frame[0] = 0; // not compressed
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
            message.WriteTo(frame.AsSpan(5, size));
            await stream.WriteAsync(frame.AsMemory(0, size + 5), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }
}

/// <summary>
/// gRPC over <see cref="HttpClient"/>: HTTP/2 with prior knowledge over a unix socket or TCP, or HTTP/2 over TLS
/// (optionally with a client certificate). Follows the gRPC over HTTP/2 protocol: <c>content-type:
/// application/grpc</c>, <c>te: trailers</c>, 5-byte message prefixes, and the status in <c>grpc-status</c> /
/// <c>grpc-message</c> trailers (or headers, for a trailers-only response).
/// </summary>
internal sealed class GrpcClient : IGrpcClient
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");
    private readonly HttpClient _http;
    private readonly Uri _baseUri;

    public GrpcClient(GrpcAddress address, GrpcTlsOptions? tls = null)
    {
        Address = address;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            EnableMultipleHttp2Connections = true,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (address.UnixSocketPath is { } socketPath)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        else if (address.UseTls && tls is not null)
        {
            handler.SslOptions = tls.ToSslOptions(address.Host!);
        }

        _http = new HttpClient(handler)
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _baseUri = address.BaseUri;
    }

    public GrpcAddress Address { get; }

    public async IAsyncEnumerable<TResponse> StreamAsync<TResponse>(
        string method,
        Func<GrpcRequestWriter, CancellationToken, Task> writeRequests,
        MessageParser<TResponse> parser,
        GrpcCallOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Deadline is { } deadline)
        {
            call.CancelAfter(deadline);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUri, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new RequestContent(writeRequests, call.Token),
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("sigs-grpc", "1.0"));
        if (options.Deadline is { } timeout)
        {
            request.Headers.Add("grpc-timeout", $"{Math.Max(1, (long)timeout.TotalMilliseconds)}m");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, call.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new GrpcCallException(GrpcStatusCode.Unavailable, $"cannot reach {Address}: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && options.Deadline is not null)
        {
            throw new GrpcCallException(GrpcStatusCode.DeadlineExceeded, $"no response within {options.Deadline}");
        }

        using (response)
        {
            CheckResponseHeaders(response);
            options.OnResponseHeaders?.Invoke();
            Stream body = await response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false);
            PipeReader reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
            var messages = new List<TResponse>();
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(call.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    throw new GrpcCallException(GrpcStatusCode.Unavailable, $"stream from {Address} broke: {ex.Message}");
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && options.Deadline is not null)
                {
                    throw new GrpcCallException(GrpcStatusCode.DeadlineExceeded, $"the call did not finish within {options.Deadline}");
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                messages.Clear();
                while (TryReadFrame(ref buffer, parser, options, messages))
                {
                }

                if (result.IsCompleted && buffer.Length > 0)
                {
                    throw new GrpcCallException(GrpcStatusCode.Internal, $"stream ended inside a message frame ({buffer.Length} bytes of a truncated frame)");
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                foreach (TResponse message in messages)
                {
                    yield return message;
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }

            await reader.CompleteAsync().ConfigureAwait(false);
            CheckStatus(response.TrailingHeaders, "trailers")
                ?.Throw();
        }
    }

    /// <summary>Parses one whole frame from the front of <paramref name="buffer"/>; false when more bytes are needed.</summary>
    private static bool TryReadFrame<TResponse>(ref ReadOnlySequence<byte> buffer, MessageParser<TResponse> parser, GrpcCallOptions options, List<TResponse> messages)
        where TResponse : IMessage<TResponse>
    {
        if (buffer.Length < 5)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[5];
        buffer.Slice(0, 5).CopyTo(header);
        switch (header[0])
        {
            case 0:
                break;
            case 1:
                throw new GrpcCallException(GrpcStatusCode.Internal, "compressed message received, but Sigs asks for and supports only uncompressed messages");
            default:
                throw new GrpcCallException(GrpcStatusCode.Internal, $"invalid frame flag {header[0]} (expected 0 or 1)");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > options.MaxMessageBytes)
        {
            throw new GrpcCallException(GrpcStatusCode.ResourceExhausted, $"message of {length} bytes exceeds the maximum of {options.MaxMessageBytes} bytes");
        }

        if (buffer.Length < 5 + length)
        {
            return false;
        }

        ReadOnlySequence<byte> payload = buffer.Slice(5, length);
        try
        {
            messages.Add(parser.ParseFrom(payload));
        }
        catch (InvalidProtocolBufferException ex)
        {
            options.OnMalformedMessage?.Invoke($"malformed {typeof(TResponse).Name} message of {length} bytes: {ex.Message}");
        }

        buffer = buffer.Slice(5 + length);
        return true;
    }

    private void CheckResponseHeaders(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new GrpcCallException(
                response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.NotImplemented ? GrpcStatusCode.Unimplemented : GrpcStatusCode.Unavailable,
                $"{Address} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        // A trailers-only response carries the status in its headers.
        CheckStatus(response.Headers, "headers")?.Throw();
        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null || !mediaType.StartsWith(GrpcContentType.MediaType!, StringComparison.OrdinalIgnoreCase))
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, $"{Address} answered with content-type '{mediaType ?? "(none)"}', not application/grpc");
        }
    }

    private static StatusFailure? CheckStatus(HttpHeaders headers, string where)
    {
        if (!headers.TryGetValues("grpc-status", out IEnumerable<string>? values))
        {
            return where == "trailers" ? new StatusFailure(GrpcStatusCode.Internal, "stream ended without a grpc-status trailer") : null;
        }

        string text = values.First();
        if (!int.TryParse(text, out int code))
        {
            return new StatusFailure(GrpcStatusCode.Internal, $"invalid grpc-status '{text}'");
        }

        if (code == 0)
        {
            return null;
        }

        string message = headers.TryGetValues("grpc-message", out IEnumerable<string>? messages) ? Uri.UnescapeDataString(messages.First()) : "(no grpc-message)";
        return new StatusFailure((GrpcStatusCode)code, message);
    }

    public void Dispose() => _http.Dispose();

    private sealed record StatusFailure(GrpcStatusCode Status, string Message)
    {
        public void Throw() => throw new GrpcCallException(Status, Message);
    }

    /// <summary>The request body: the call's messages, written as the delegate produces them (full duplex on HTTP/2).</summary>
    private sealed class RequestContent : HttpContent
    {
        private readonly Func<GrpcRequestWriter, CancellationToken, Task> _writeRequests;
        private readonly CancellationToken _callToken;

        public RequestContent(Func<GrpcRequestWriter, CancellationToken, Task> writeRequests, CancellationToken callToken)
        {
            _writeRequests = writeRequests;
            _callToken = callToken;
            Headers.ContentType = GrpcContentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _callToken);
            try
            {
                await _writeRequests(new GrpcRequestWriter(stream), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                // The call is ending; the request side simply stops.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
