using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace Sigs.Host.Grpc;

/// <summary>
/// Grpc.Net.Client channels to a sensor: HTTP/2 with prior knowledge over a unix socket or TCP, or HTTP/2 over
/// TLS with a client certificate (Falco's mutual TLS). Keepalive pings find a dead peer on an idle stream; a
/// response message larger than the maximum ends the call (ResourceExhausted) before it is buffered.
/// </summary>
internal static class GrpcChannels
{
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    public static readonly TimeSpan KeepAlivePingDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan KeepAlivePingTimeout = TimeSpan.FromSeconds(10);

    /// <param name="keepAlive">How long a stream may be quiet before a ping, and how long the ping's answer may take; the defaults when null.</param>
    public static GrpcChannel Create(GrpcAddress address, GrpcTlsOptions? tls = null, int maxReceiveMessageBytes = DefaultMaxMessageBytes, (TimeSpan Delay, TimeSpan Timeout)? keepAlive = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingDelay = keepAlive?.Delay ?? KeepAlivePingDelay,
            KeepAlivePingTimeout = keepAlive?.Timeout ?? KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            EnableMultipleHttp2Connections = true,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (address.UnixSocketPath is { } socketPath)
        {
            handler.ConnectCallback = (_, cancellationToken) => ConnectUnixAsync(socketPath, cancellationToken);
        }
        else if (address.UseTls && tls is not null)
        {
            handler.SslOptions = tls.ToSslOptions(address.Host!);
        }

        return GrpcChannel.ForAddress(address.BaseUri, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = maxReceiveMessageBytes,
        });
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string socketPath, CancellationToken cancellationToken)
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
    }
}
