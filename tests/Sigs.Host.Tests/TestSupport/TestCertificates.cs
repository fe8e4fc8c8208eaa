using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, as PEM files.</summary>
internal sealed class TestCertificates : IDisposable
{
    // One validity window for the CA and the certificates it issues: they may not outlive their issuer.
    private readonly DateTimeOffset _notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
    private readonly DateTimeOffset _notAfter = DateTimeOffset.UtcNow.AddHours(1);

    public TestCertificates(string folder)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=sigs-test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = caRequest.CreateSelfSigned(_notBefore, _notAfter);

        Server = Issue("CN=127.0.0.1", serverAuth: true);
        Client = Issue("CN=sigs", serverAuth: false);

        CaFile = Write(folder, "ca.crt", Ca.ExportCertificatePem());
        ClientCertFile = Write(folder, "client.crt", Client.ExportCertificatePem());
        ClientKeyFile = Write(folder, "client.key", Client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        ServerCertFile = Write(folder, "server.crt", Server.ExportCertificatePem());
        ServerKeyFile = Write(folder, "server.key", Server.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public string CaFile { get; }

    public string ClientCertFile { get; }

    public string ClientKeyFile { get; }

    public string ServerCertFile { get; }

    public string ServerKeyFile { get; }

    private X509Certificate2 Issue(string subject, bool serverAuth)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        using X509Certificate2 issued = request.Create(Ca, _notBefore, _notAfter, RandomNumberGenerator.GetBytes(8));
        // Kestrel needs a certificate whose private key it can use: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    private static string Write(string folder, string name, string pem)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, pem);
        return path;
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
    }
}
