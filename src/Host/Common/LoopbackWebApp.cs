using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sigs.Host.Common;

/// <summary>A minimal Kestrel app on one http:// or https:// address, as the HTTP feeds and the admin endpoint use.</summary>
internal static class LoopbackWebApp
{
    /// <summary>Parses <paramref name="listen"/>; anything but an http:// or https:// URL with an IP host is a configuration error naming <paramref name="setting"/>.</summary>
    public static Uri ParseListen(string listen, string setting, string example) =>
        Uri.TryCreate(listen, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" && IsListenHost(uri.Host)
            ? uri
            : throw new ConfigException($"{setting} '{listen}' must be an http:// or https:// URL with an IP address, for example {example}");

    /// <summary>True for a host a listen may name: <c>localhost</c> or an IP address.</summary>
    public static bool IsListenHost(string host) => host == "localhost" || IPAddress.TryParse(host, out _);

    /// <summary>A connection must send a request's headers within this time of connecting or of its previous response.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(5);

    /// <summary>An idle keep-alive connection is closed after this time without a request.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The most connections a listener holds at once, all clients together (each idle one costs a few KiB).</summary>
    public const int MaxConnections = 4096;

    /// <summary>
    /// Builds the app (no logging of its own, no server header) bound to the URL's host and port, with the
    /// <paramref name="access"/> checks (Host header on loopback, bearer token) in front of every endpoint. A
    /// connection that sends no complete request headers in <see cref="RequestHeadersTimeout"/>, or stays idle
    /// between requests for <see cref="KeepAliveTimeout"/>, is closed; with <paramref name="perAddress"/> one
    /// client address holds a bounded share of the listener.
    /// </summary>
    public static WebApplication Create(Uri listen, WebAccess access, long? maxRequestBodyBytes = null, ConnectionLimits? perAddress = null, Action<IServiceCollection>? services = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
            kestrel.Limits.KeepAliveTimeout = KeepAliveTimeout;
            kestrel.Listen(IPAddress.Parse(listen.Host == "localhost" ? "127.0.0.1" : listen.Host), listen.Port, options =>
            {
                if (perAddress is not null)
                {
                    // Before TLS: a client that never finishes its handshake holds its share too.
                    options.Use(next => connection => perAddress.RunAsync(connection, next));
                }

                access.Tls?.Apply(options, access.TlsSetting);
            });
        });
        WebApplication app = builder.Build();
        access.Apply(app, listen);
        return app;
    }

    /// <summary>The address Kestrel actually bound (a port of 0 picks a free one).</summary>
    public static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
