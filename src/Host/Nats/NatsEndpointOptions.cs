using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Sigs.Host.Nats;

/// <summary>
/// The keys every NATS feed, output and forward has: where the servers are and how to log in. Each options record
/// declares them (a configuration record has one base: its kind's), with these descriptions; one rule checks them
/// (<see cref="NatsEndpointRules"/>) and one link connects with them (<see cref="NatsLink"/>).
/// </summary>
internal interface INatsEndpoint
{
    public const string UrlText = "NATS server URL (nats://HOST:PORT, tls://...); several separated by commas.";
    public const string CredentialsText = "How to authenticate: one of credsFile, nkeyFile, user with passwordFile, tokenFile.";
    public const string TlsText = "TLS to the servers: caFile, and certFile with keyFile for mutual TLS.";
    public const string InsecureText = "Allow connecting without credentials (a warning at every start).";

    /// <summary>One server URL, or several separated by commas.</summary>
    string Url { get; }

    NatsCredentialOptions? Credentials { get; }

    NatsTlsOptions? Tls { get; }

    /// <summary>Connect without credentials: allowed only when the config says so, with a warning at every start.</summary>
    bool Insecure { get; }
}

/// <summary>How Sigs authenticates to NATS: one of a creds file, an nkey seed file, a user with a password file, or a token file.</summary>
internal sealed record NatsCredentialOptions
{
    [Description("A NATS credentials file (user JWT and nkey seed), as nsc writes it.")]
    [MinLength(1)]
    public string? CredsFile { get; init; }

    [Description("A file holding an nkey seed (SU...).")]
    [MinLength(1)]
    public string? NkeyFile { get; init; }

    [Description("User name; needs passwordFile.")]
    [MinLength(1)]
    public string? User { get; init; }

    [Description("A file holding the user name, instead of user: for a DaemonSet whose nodes each have their own user (a file on the node); needs passwordFile.")]
    [MinLength(1)]
    public string? UserFile { get; init; }

    [Description("A file holding the user's password.")]
    [MinLength(1)]
    public string? PasswordFile { get; init; }

    [Description("A file holding an authentication token.")]
    [MinLength(1)]
    public string? TokenFile { get; init; }

    /// <summary>The rules the schema cannot say, as "key: problem", or null.</summary>
    public string? Problem()
    {
        bool named = User is not null || UserFile is not null;
        int ways = (CredsFile is null ? 0 : 1) + (NkeyFile is null ? 0 : 1) + (!named && PasswordFile is null ? 0 : 1) + (TokenFile is null ? 0 : 1);
        return ways > 1 ? "credentials: give one of credsFile, nkeyFile, user with passwordFile, tokenFile"
            : User is not null && UserFile is not null ? "credentials: give user or userFile, not both"
            : named && PasswordFile is null ? $"credentials.{(User is null ? "userFile" : "user")}: needs passwordFile"
            : !named && PasswordFile is not null ? "credentials.passwordFile: needs user or userFile"
            : null;
    }
}

/// <summary>TLS to NATS: the CA that signs the servers' certificates, and a client certificate for mutual TLS.</summary>
internal sealed record NatsTlsOptions
{
    [Description("PEM file of the CA(s) that sign the servers' certificates; default: the system's.")]
    [MinLength(1)]
    public string? CaFile { get; init; }

    [Description("PEM client certificate, for servers that verify clients; needs keyFile.")]
    [MinLength(1)]
    public string? CertFile { get; init; }

    [Description("PEM private key of certFile.")]
    [MinLength(1)]
    public string? KeyFile { get; init; }

    public string? Problem() => (CertFile is null) != (KeyFile is null) ? "tls: certFile and keyFile go together" : null;
}

/// <summary>The cross-key rules of an endpoint, for a type's <c>Problem</c>.</summary>
internal static class NatsEndpointRules
{
    public static string? Problem(INatsEndpoint endpoint)
    {
        foreach (string url in endpoint.Url.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) || parsed.Scheme is not ("nats" or "tls" or "ws" or "wss") || parsed.Host.Length == 0)
            {
                return $"url: '{url}' is not a NATS server URL (nats://HOST:PORT, tls://, ws://, wss://; several separated by commas)";
            }
        }

        if (endpoint.Credentials is null && !endpoint.Insecure)
        {
            return "credentials: required (credsFile, nkeyFile, user with passwordFile, or tokenFile): without them anyone who reaches NATS could feed or read this; set insecure: true to connect without";
        }

        return endpoint.Credentials?.Problem() ?? endpoint.Tls?.Problem();
    }
}
