using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sigs.Host.Common;

/// <summary>A minimal Kestrel app on one http:// address, as the HTTP feeds and the admin endpoint use.</summary>
/// <remarks>Plain HTTP: beyond loopback, the callers warn once at start (put TLS in front, and set a bearer token).</remarks>
internal static class LoopbackWebApp
{
    /// <summary>Parses <paramref name="listen"/>; anything but an http:// URL with an IP host is a configuration error naming <paramref name="setting"/>.</summary>
    public static Uri ParseListen(string listen, string setting, string example) =>
        Uri.TryCreate(listen, UriKind.Absolute, out Uri? uri) && uri.Scheme == "http" && (uri.Host == "localhost" || IPAddress.TryParse(uri.Host, out _))
            ? uri
            : throw new ConfigException($"{setting} '{listen}' must be an http:// URL with an IP address, for example {example}");

    /// <summary>
    /// Builds the app (no logging of its own, no server header) bound to the URL's host and port, with the
    /// <paramref name="access"/> checks (Host header on loopback, bearer token) in front of every endpoint.
    /// </summary>
    public static WebApplication Create(Uri listen, WebAccess access, long? maxRequestBodyBytes = null, int? maxConnections = null, Action<IServiceCollection>? services = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = maxConnections;
            kestrel.Listen(IPAddress.Parse(listen.Host == "localhost" ? "127.0.0.1" : listen.Host), listen.Port);
        });
        WebApplication app = builder.Build();
        access.Apply(app, listen);
        return app;
    }

    /// <summary>The address Kestrel actually bound (a port of 0 picks a free one).</summary>
    public static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
