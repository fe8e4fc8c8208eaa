using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Sigs.Host.Common;

/// <summary>
/// HTTPS for a receiver or the admin endpoint (an https:// listen): the server's certificate, and with
/// <see cref="ClientCaFile"/> mutual TLS, where every client must present a certificate that CA signed (the API
/// server's audit webhook sends the kubeconfig's <c>client-certificate</c>).
/// </summary>
internal sealed record WebTlsOptions
{
    [Description("PEM certificate (chain) this endpoint presents.")]
    [MinLength(1)]
    public required string CertFile { get; init; }

    [Description("PEM private key of certFile.")]
    [MinLength(1)]
    public required string KeyFile { get; init; }

    [Description("PEM file of the CA(s) whose client certificates are accepted; every client must present one (mutual TLS).")]
    [MinLength(1)]
    public string? ClientCaFile { get; init; }

    /// <summary>Turns HTTPS on for one Kestrel listener; a file that cannot be read is a configuration error naming <paramref name="setting"/>.</summary>
    public void Apply(ListenOptions listener, string setting)
    {
        X509Certificate2 certificate = Load(setting, () => X509Certificate2.CreateFromPemFile(CertFile, KeyFile), "certFile/keyFile");
        X509Certificate2Collection? authorities = ClientCaFile is null ? null : Load(setting, () =>
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(ClientCaFile);
            return collection.Count > 0 ? collection : throw new IOException("no certificate in it");
        }, "clientCaFile");
        listener.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = certificate,
            ClientCertificateMode = authorities is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.RequireCertificate,
            ClientCertificateValidation = authorities is null ? null : (client, _, _) => SignedBy(client, authorities),
        });
    }

    /// <summary>The extended key usage of a client certificate.</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/> (and only to them) and is valid for <paramref name="purpose"/>.</summary>
    public static bool SignedBy(X509Certificate2 certificate, X509Certificate2Collection authorities, string purpose = ClientAuthentication)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(purpose));
        return chain.Build(certificate);
    }

    private static T Load<T>(string setting, Func<T> load, string keys)
    {
        try
        {
            return load();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new ConfigException($"{setting}.{keys}: {ex.Message}");
        }
    }
}
