using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>
/// A gRPC-over-HTTP/2 server whose handlers write frames and trailers by hand, for what a broken sensor would
/// send (Kestrel on a unix socket). Well-behaved sensors are Grpc.AspNetCore services (<see cref="GrpcSensor"/>).
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
        await context.Response.Body.WriteAsync(Frame(payload, flag, declaredLength));
        await context.Response.Body.FlushAsync();
    }

    /// <summary>A gRPC message frame: flag, big-endian length (the payload's unless another is declared), payload.</summary>
    public static byte[] Frame(byte[] payload, byte flag = 0, uint? declaredLength = null)
    {
        byte[] frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declaredLength ?? (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
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
