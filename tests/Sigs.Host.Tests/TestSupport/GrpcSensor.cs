using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sigs.Host.Feeds.Falco.Proto;
using Sigs.Host.Feeds.Tracee.Proto;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>
/// A real, independent gRPC server for the feed tests: Grpc.AspNetCore on a unix socket, or on loopback TCP with
/// TLS that requires a client certificate. The service is one of the sensor stand-ins below.
/// </summary>
internal sealed class GrpcSensor : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcSensor(WebApplication app) => _app = app;

    public static Task<GrpcSensor> StartAsync<TService>(string socketPath, TService service)
        where TService : class
    {
        File.Delete(socketPath);
        return StartAsync(kestrel => kestrel.ListenUnixSocket(socketPath, l => l.Protocols = HttpProtocols.Http2), service);
    }

    public static Task<GrpcSensor> StartTlsAsync<TService>(int port, X509Certificate2 serverCertificate, X509Certificate2 clientCa, TService service)
        where TService : class =>
        StartAsync(kestrel => kestrel.Listen(IPAddress.Loopback, port, l =>
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
        }), service);

    private static async Task<GrpcSensor> StartAsync<TService>(Action<KestrelServerOptions> listen, TService service)
        where TService : class
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(listen);
        builder.Services.AddGrpc(options => options.MaxSendMessageSize = null);
        builder.Services.AddSingleton(service);
        WebApplication app = builder.Build();
        app.MapGrpcService<TService>();
        await app.StartAsync();
        return new GrpcSensor(app);
    }

    public async ValueTask DisposeAsync()
    {
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(quick.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>Tracee's <c>TraceeService</c>: each call is answered by the next queued session, or kept open idle.</summary>
internal sealed class TraceeSensor : TraceeService.TraceeServiceBase
{
    public delegate Task Session(IServerStreamWriter<StreamEventsResponse> responses, ServerCallContext context);

    private readonly System.Collections.Concurrent.ConcurrentQueue<Session> _sessions = new();

    /// <summary>The requests received, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<StreamEventsRequest> Requests { get; } = new();

    public TraceeSensor Then(Session session)
    {
        _sessions.Enqueue(session);
        return this;
    }

    /// <summary>A session that sends <paramref name="events"/>, then keeps the stream open until the client goes.</summary>
    public TraceeSensor ThenSend(params Event[] events) => Then(async (responses, context) =>
    {
        foreach (Event e in events)
        {
            await responses.WriteAsync(new StreamEventsResponse { Event = e });
        }

        await IdleAsync(context);
    });

    public override async Task StreamEvents(StreamEventsRequest request, IServerStreamWriter<StreamEventsResponse> responseStream, ServerCallContext context)
    {
        Requests.Enqueue(request);
        await (_sessions.TryDequeue(out Session? session) ? session(responseStream, context) : IdleAsync(context));
    }

    public static Task IdleAsync(ServerCallContext context) =>
        Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
}

/// <summary>Falco's output <c>service</c>: <c>sub</c> answers each request it reads with <see cref="Alert"/>'s next alert.</summary>
internal sealed class FalcoSensor(Func<int, response> alert) : service.serviceBase
{
    private readonly List<DateTime> _requestTimes = [];

    /// <summary>When each request on <c>sub</c> arrived.</summary>
    public IReadOnlyList<DateTime> RequestTimes
    {
        get
        {
            lock (_requestTimes)
            {
                return [.. _requestTimes];
            }
        }
    }

    public Func<int, response> Alert { get; } = alert;

    public override async Task sub(IAsyncStreamReader<request> requestStream, IServerStreamWriter<response> responseStream, ServerCallContext context)
    {
        int n = 0;
        try
        {
            await foreach (request _ in requestStream.ReadAllAsync(context.CancellationToken))
            {
                lock (_requestTimes)
                {
                    _requestTimes.Add(DateTime.UtcNow);
                }

                await responseStream.WriteAsync(Alert(n++));
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }
}
