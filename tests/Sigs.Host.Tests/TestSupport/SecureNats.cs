using System.Diagnostics;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>
/// A real <c>nats-server</c> as deploy/ ships it: TLS with certificates the test makes, and the users and
/// permissions <c>deploy/nats/sigs-users.sh</c> writes for two partitions and the nodes <c>node-a</c> and <c>node-b</c>.
/// </summary>
internal sealed class SecureNats : IAsyncDisposable
{
    public static readonly string[] Nodes = ["node-a", "node-b"];
    public const int Partitions = 2;

    private readonly TempFolder _folder;
    private readonly string _users;

    private SecureNats(TempFolder folder, string users, NatsServer server, TestCertificates certificates)
    {
        _folder = folder;
        _users = users;
        Server = server;
        Certificates = certificates;
    }

    public NatsServer Server { get; }

    public TestCertificates Certificates { get; }

    public string Url => $"tls://127.0.0.1:{Server.Port}";

    public string Folder => _folder.Path;

    public static async Task<SecureNats> StartAsync()
    {
        var folder = new TempFolder();
        var certificates = new TestCertificates(folder.Path);
        string users = Path.Combine(folder.Path, "users");
        using (var script = Process.Start(new ProcessStartInfo("/bin/sh", [Path.Combine(RepoPaths.Root, "deploy", "nats", "sigs-users.sh"), users, Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Nodes])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!)
        {
            string errors = await script.StandardError.ReadToEndAsync();
            await script.WaitForExitAsync();
            Assert.True(script.ExitCode == 0, $"sigs-users.sh: {errors}");
        }

        // nats-server reads an include relative to the configuration file, which sits beside the store folder.
        NatsServer server = await NatsServer.StartAsync(null, (port, store) => $$"""
            listen: 127.0.0.1:{{port}}
            jetstream { store_dir: "{{store}}" }
            tls { cert_file: "{{certificates.ServerCertFile}}", key_file: "{{certificates.ServerKeyFile}}" }
            include "{{Path.GetRelativePath(Path.GetDirectoryName(store)!, Path.Combine(users, "auth.conf"))}}"
            """);
        return new SecureNats(folder, users, server, certificates);
    }

    /// <summary>The file holding <paramref name="user"/>'s password.</summary>
    public string PasswordFile(string user) => Path.Combine(_users, $"{user}.password");

    public string Password(string user) => File.ReadAllText(PasswordFile(user));

    /// <summary>The YAML keys of a NATS endpoint that logs in as <paramref name="user"/> over TLS (indented for a list item).</summary>
    public string Keys(string user, string indent = "    ") =>
        $"{indent}url: {Url}\n{indent}credentials: {{ user: {user}, passwordFile: {PasswordFile(user)} }}\n{indent}tls: {{ caFile: {Certificates.CaFile} }}\n";

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Certificates.Dispose();
        _folder.Dispose();
    }
}
