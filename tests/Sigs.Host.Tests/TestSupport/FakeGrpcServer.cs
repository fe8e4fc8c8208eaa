using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>
/// A real gRPC-over-HTTP/2 server for tests: Kestrel on a unix socket (or TLS on loopback), with handlers that
/// write frames and trailers by hand, so tests can also send what a broken sensor would.
/// </summary>
internal sealed class FakeGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeGrpcServer(WebApplication app) => _app = app;

    public static async Task<FakeGrpcServer> StartAsync(string socketPath, string method, RequestDelegate handler)
    {
        File.Delete(socketPath);
        return await StartAsync(kestrel => kestrel.ListenUnixSocket(socketPath, l => l.Protocols = HttpProtocols.Http2), method, handler);
    }

    /// <summary>HTTPS on loopback, requiring a client certificate that chains to <paramref name="clientCa"/>.</summary>
    public static async Task<FakeGrpcServer> StartTlsAsync(int port, X509Certificate2 serverCertificate, X509Certificate2 clientCa, string method, RequestDelegate handler) =>
        await StartAsync(kestrel => kestrel.Listen(IPAddress.Loopback, port, l =>
        {
            l.Protocols = HttpProtocols.Http2;
            l.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(clientCa);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate);
                },
            });
        }), method, handler);

    private static async Task<FakeGrpcServer> StartAsync(Action<KestrelServerOptions> listen, string method, RequestDelegate handler)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(listen);
        WebApplication app = builder.Build();
        app.MapPost(method, handler);
        await app.StartAsync();
        return new FakeGrpcServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(quick.Token);
        await _app.DisposeAsync();
    }

    /// <summary>Starts a gRPC response: status 200, content-type application/grpc.</summary>
    public static async Task BeginAsync(HttpContext context)
    {
        context.Response.ContentType = "application/grpc";
        await context.Response.StartAsync();
    }

    public static async Task WriteMessageAsync(HttpContext context, IMessage message) =>
        await WriteFrameAsync(context, message.ToByteArray());

    public static async Task WriteFrameAsync(HttpContext context, byte[] payload, byte flag = 0, uint? declaredLength = null)
    {
        byte[] frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declaredLength ?? (uint)payload.Length);
        payload.CopyTo(frame, 5);
        await context.Response.Body.WriteAsync(frame);
        await context.Response.Body.FlushAsync();
    }

    public static void End(HttpContext context, int status = 0, string? message = null)
    {
        context.Response.AppendTrailer("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message is not null)
        {
            context.Response.AppendTrailer("grpc-message", Uri.EscapeDataString(message));
        }
    }

    /// <summary>Reads one length-prefixed request message.</summary>
    public static async Task<T> ReadMessageAsync<T>(HttpContext context, MessageParser<T> parser)
        where T : IMessage<T>
    {
        byte[] header = new byte[5];
        await context.Request.Body.ReadExactlyAsync(header);
        byte[] payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))];
        await context.Request.Body.ReadExactlyAsync(payload);
        return parser.ParseFrom(payload);
    }
}
