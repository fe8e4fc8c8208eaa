using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Cli;

/// <summary>
/// <c>sigs run</c> refuses, with one line naming the key and exit 2, what would let anyone who reaches it speak to
/// Sigs: NATS without credentials, and a receiver or admin endpoint beyond loopback with neither a bearer token nor
/// client certificates, unless the config says <c>insecure: true</c>, which is warned about at every start.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SecureByDefaultTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("feeds:\n  - type: nats\n    url: nats://127.0.0.1:4222\n    durable: c\n    partitions: [0]\n", "feeds[0].credentials: required")]
    [InlineData("feeds:\n  - type: native\nforward:\n  - type: nats\n    url: nats://127.0.0.1:4222\n    signatures: [SIGS-1003]\n", "forward[0].credentials: required")]
    [InlineData("feeds:\n  - type: native\noutputs:\n  - type: nats\n    url: nats://127.0.0.1:4222\n", "outputs[0].credentials: required")]
    [InlineData("feeds:\n  - type: k8s-audit\n    listen: http://0.0.0.0:9765/k8s-audit\n", "feeds[0].listen: 'http://0.0.0.0:9765/k8s-audit' is beyond loopback with neither bearerTokenFile nor tls.clientCaFile")]
    [InlineData("feeds:\n  - type: falco-http\n    listen: http://10.1.2.3:2801/\n", "feeds[0].listen: 'http://10.1.2.3:2801/' is beyond loopback")]
    [InlineData("feeds:\n  - type: native\nadmin:\n  listen: http://0.0.0.0:9376\n", "admin.listen: 'http://0.0.0.0:9376' is beyond loopback")]
    [InlineData("feeds:\n  - type: k8s-audit\n    listen: https://127.0.0.1:9765/k8s-audit\n", "feeds[0].tls: an https:// listen needs tls.certFile and tls.keyFile")]
    public async Task Run_RefusesAnOpenDoor_WithOneLineNamingTheKey(string yaml, string expected)
    {
        string config = _folder.File("sigs.yaml", yaml);

        SigsProcess.Result result = await SigsProcess.RunAsync(["run", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FeedShortFormBeyondLoopback_IsRefused()
    {
        SigsProcess.Result result = await SigsProcess.RunAsync(["run", "--feed", "k8s-audit:http://0.0.0.0:9765/k8s-audit"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is beyond loopback", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InsecureTrue_StartsAndWarnsForEachOpenDoor()
    {
        int port = Ports.Free(), admin = Ports.Free();
        string config = _folder.File("sigs.yaml",
            $"feeds:\n  - type: k8s-audit\n    listen: http://0.0.0.0:{port}/k8s-audit\n    insecure: true\n" +
            $"forward:\n  - type: nats\n    url: nats://127.0.0.1:{Ports.Free()}\n    insecure: true\n    signatures: [SIGS-1003]\n" +
            $"admin:\n  listen: http://0.0.0.0:{admin}\n  insecure: true\n");
        using SigsProcess sigs = SigsProcess.Start(["run", "--config", config]);
        using var http = new HttpClient();
        await Eventually.TrueAsync(() => HttpPost.Succeeds(http, $"http://127.0.0.1:{port}/k8s-audit", """{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}"""), "the receiver to answer", TimeSpan.FromSeconds(30));
        sigs.Signal("TERM");
        SigsProcess.Result result = await sigs.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains($"listens on http://0.0.0.0:{port}/k8s-audit, beyond loopback, with neither a bearer token nor client certificates (insecure: true)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Admin endpoint listens on http://0.0.0.0:{admin}/, beyond loopback, with neither", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("without credentials (insecure: true)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_WithABearerToken_AnswersHealthToAnyone_AndTheRestOnlyWithTheToken()
    {
        int admin = Ports.Free();
        string token = _folder.File("admin-token", "an-admin-token-of-some-length\n");
        string config = _folder.File("sigs.yaml", $"feeds:\n  - type: file\n    path: {_folder.File("none.jsonl", "")}\n    follow: true\nadmin:\n  listen: http://0.0.0.0:{admin}\n  bearerTokenFile: {token}\n");
        using SigsProcess sigs = SigsProcess.Start(["run", "--config", config]);
        using var http = new HttpClient();
        string Url(string path) => $"http://127.0.0.1:{admin}{path}";
        await Eventually.TrueAsync(() => Status(http, Url("/healthz"), null) == HttpStatusCode.OK, "/healthz without the token", TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.Unauthorized, Status(http, Url("/metrics"), null));
        Assert.Equal(HttpStatusCode.Unauthorized, Status(http, Url("/plugins"), "wrong-token-of-some-length"));
        Assert.Equal(HttpStatusCode.OK, Status(http, Url("/metrics"), "an-admin-token-of-some-length"));
        Assert.Equal(HttpStatusCode.OK, Status(http, Url("/plugins"), "an-admin-token-of-some-length"));
    }

    private static HttpStatusCode Status(HttpClient http, string url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            using HttpResponseMessage response = http.Send(request);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Receiver_WithClientCertificates_AnswersOnlyClientsTheCaSigned()
    {
        using var certificates = new TestCertificates(_folder.Path);
        using var stranger = new TestCertificates(Directory.CreateDirectory(Path.Combine(_folder.Path, "stranger")).FullName);
        int port = Ports.Free();
        string url = $"https://127.0.0.1:{port}/k8s-audit";
        string config = _folder.File("sigs.yaml",
            $"feeds:\n  - type: k8s-audit\n    listen: https://0.0.0.0:{port}/k8s-audit\n" +
            $"    tls: {{ certFile: {certificates.ServerCertFile}, keyFile: {certificates.ServerKeyFile}, clientCaFile: {certificates.CaFile} }}\n");
        using SigsProcess sigs = SigsProcess.Start(["run", "--config", config]);
        const string empty = """{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}""";

        using HttpClient signed = Client(certificates, certificates.Client);
        await Eventually.TrueAsync(() => HttpPost.Succeeds(signed, url, empty), "the receiver to answer a signed client", TimeSpan.FromSeconds(30));
        using HttpClient anonymous = Client(certificates, client: null);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.PostAsync(url, new StringContent(empty, System.Text.Encoding.UTF8, "application/json")));
        using HttpClient other = Client(certificates, stranger.Client);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => other.PostAsync(url, new StringContent(empty, System.Text.Encoding.UTF8, "application/json")));
        Assert.True(HttpPost.Succeeds(signed, url, empty));
    }

    /// <summary>A client that trusts the test CA for the server and presents <paramref name="client"/>, if any.</summary>
    private static HttpClient Client(TestCertificates trusted, X509Certificate2? client)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = client is null ? null : new X509CertificateCollection { client },
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && Sigs.Host.Common.WebTlsOptions.SignedBy(new X509Certificate2(certificate), [trusted.Ca], "1.3.6.1.5.5.7.3.1"),
            },
        };
        return new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version11 };
    }
}
