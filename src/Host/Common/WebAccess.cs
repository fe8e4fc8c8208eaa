using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sigs.Host.Common;

/// <summary>
/// Who may talk to an HTTP endpoint of Sigs (the admin endpoint, the Falco and audit receivers). On a loopback
/// listen, only requests whose <c>Host</c> names loopback are answered (421 otherwise), so a web page cannot reach
/// the endpoint through DNS rebinding. With a bearer token, every request must carry it (401 otherwise); the API
/// server's audit webhook sends one from its kubeconfig's <c>token</c>, Falco's <c>http_output</c> from
/// <c>custom_headers</c>.
/// </summary>
internal sealed partial class WebAccess(string? bearerToken, WebTlsOptions? tls = null, string tlsSetting = "tls", IReadOnlySet<string>? withoutToken = null)
{
    private readonly IReadOnlySet<string> _withoutToken = withoutToken ?? new HashSet<string>();

    /// <summary>The token every request must carry, or null for none.</summary>
    public string? BearerToken { get; } = bearerToken;

    /// <summary>HTTPS (and client certificates), or null for plain HTTP.</summary>
    public WebTlsOptions? Tls { get; } = tls;

    /// <summary>The key that names <see cref="Tls"/> in errors.</summary>
    public string TlsSetting { get; } = tlsSetting;

    public static WebAccess Open { get; } = new(bearerToken: null);

    /// <summary>
    /// The same access, but <paramref name="paths"/> are answered without the token (as the API server answers its
    /// <c>/healthz</c> to anyone): a kubelet's probe cannot send a secret.
    /// </summary>
    public WebAccess WithoutTokenFor(params string[] paths) => new(BearerToken, Tls, TlsSetting, paths.ToHashSet(StringComparer.Ordinal));

    /// <summary>The token in <paramref name="tokenFile"/> (trimmed), or none when no file is given; with <paramref name="tls"/>, HTTPS.</summary>
    public static WebAccess FromTokenFile(string? tokenFile, string setting, WebTlsOptions? tls = null, string tlsSetting = "tls")
    {
        if (tokenFile is null)
        {
            return new WebAccess(null, tls, tlsSetting);
        }

        string token = SecretFile.Read(tokenFile, setting, "the token");
        return token.Length >= 16 ? new WebAccess(token, tls, tlsSetting) : throw new ConfigException($"{setting} '{tokenFile}': the token must have at least 16 characters");
    }

    public static bool IsLoopback(Uri listen) => IsLoopbackHost(listen.Host);

    /// <summary>Warns at every start when <paramref name="endpoint"/> listens beyond loopback without a bearer token or client certificates (the config said insecure), or over plain HTTP.</summary>
    public void WarnIfExposed(Uri listen, string endpoint, ILogger logger)
    {
        if (IsLoopback(listen))
        {
            return;
        }

        if (BearerToken is null && Tls?.ClientCaFile is null)
        {
            LogInsecure(logger, endpoint, listen);
        }
        else if (Tls is null)
        {
            LogBeyondLoopback(logger, endpoint, listen, "with a bearer token");
        }
    }

    /// <summary>Adds the checks in front of every endpoint of <paramref name="app"/>, which listens on <paramref name="listen"/>.</summary>
    public void Apply(WebApplication app, Uri listen)
    {
        bool loopback = IsLoopback(listen);
        byte[]? expected = BearerToken is null ? null : Encoding.UTF8.GetBytes($"Bearer {BearerToken}");
        app.Use(async (context, next) =>
        {
            if (loopback && !IsLoopbackHost(context.Request.Host.Host))
            {
                context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                await context.Response.WriteAsync("this endpoint answers only requests addressed to a loopback host\n").ConfigureAwait(false);
                return;
            }

            if (expected is not null && !_withoutToken.Contains(context.Request.Path.Value ?? "") && !Authorized(context.Request.Headers.Authorization.ToString(), expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await context.Response.WriteAsync("a bearer token is required\n").ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
    }

    /// <summary>True for <c>localhost</c> or a loopback address (IPv6 in brackets or not).</summary>
    public static bool IsLoopbackHost(string host) =>
        host is "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));

    private static bool Authorized(string header, byte[] expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), expected);
}
