using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Sigs.Host.Grpc;

/// <summary>
/// Mutual TLS for a TCP gRPC address: the client certificate and key (PEM) Sigs presents, and the CA (PEM) the
/// server's certificate must chain to.
/// </summary>
internal sealed record GrpcTlsOptions(string CertificateFile, string KeyFile, string CaFile)
{
    public SslClientAuthenticationOptions ToSslOptions(string host)
    {
        X509Certificate2 clientCertificate = X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);
        var trustedRoots = new X509Certificate2Collection();
        trustedRoots.ImportFromPemFile(CaFile);
        var chainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        chainPolicy.CustomTrustStore.AddRange(trustedRoots);
        return new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ClientCertificates = [clientCertificate],
            CertificateChainPolicy = chainPolicy,
        };
    }
}
