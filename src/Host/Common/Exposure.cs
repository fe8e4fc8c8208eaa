namespace Sigs.Host.Common;

/// <summary>The rule every listening endpoint follows: beyond loopback, a bearer token or client certificates, unless the config says insecure.</summary>
internal static class Exposure
{
    /// <summary>What is wrong with the endpoint's listen, token and TLS together, as "key: problem", or null.</summary>
    public static string? Problem(string listen, string? bearerTokenFile, WebTlsOptions? tls, bool insecure, string prefix = "")
    {
        if (!Uri.TryCreate(listen, UriKind.Absolute, out Uri? uri) || !LoopbackWebApp.IsListenHost(uri.Host))
        {
            return null; // not a listen address at all: the listen's own check names it
        }

        if (uri.Scheme == "https" && tls is null)
        {
            return $"{prefix}tls: an https:// listen needs tls.certFile and tls.keyFile";
        }

        if (uri.Scheme == "http" && tls is not null)
        {
            return $"{prefix}listen: '{listen}' is http://, but tls is set: listen on https://";
        }

        bool loopback = WebAccess.IsLoopbackHost(uri.Host);
        return loopback || insecure || bearerTokenFile is not null || tls?.ClientCaFile is not null
            ? null
            : $"{prefix}listen: '{listen}' is beyond loopback with neither bearerTokenFile nor tls.clientCaFile, so anyone who reaches it is answered; set one, or insecure: true";
    }
}
