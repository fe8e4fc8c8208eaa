using System.Diagnostics;
using System.Net.Sockets;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>
/// A real <c>nats-server -js</c> on a free loopback port with its own store folder, which survives <see cref="RestartAsync"/>.
/// The Debian package <c>nats-server</c> provides it (.ci/run installs it); without it the test fails, it does not skip.
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    private static readonly string[] Locations = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];
    private readonly TempFolder _store = new();
    private readonly string? _config;
    private Process? _process;

    private NatsServer(int port, Func<int, string, string>? config)
    {
        Port = port;
        if (config is not null)
        {
            _config = Path.Combine(_store.Path, "nats-server.conf");
            File.WriteAllText(_config, config(port, Path.Combine(_store.Path, "js")));
        }
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>A server without authentication (clients say <c>insecure: true</c>).</summary>
    public static async Task<NatsServer> StartAsync(int? port = null) => await StartAsync(port, config: null);

    /// <summary>A server with a configuration file: <paramref name="config"/> gives its text for a port and a store folder.</summary>
    public static async Task<NatsServer> StartAsync(int? port, Func<int, string, string>? config)
    {
        var server = new NatsServer(port ?? Ports.Free(), config);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Stops the server (SIGKILL when <paramref name="kill"/>) and starts it again on the same port and store.</summary>
    public async Task RestartAsync(TimeSpan down, bool kill = false)
    {
        Stop(kill);
        await Task.Delay(down);
        await StartProcessAsync();
    }

    public void Stop(bool kill = false)
    {
        if (_process is { HasExited: false } running)
        {
            if (kill)
            {
                running.Kill();
            }
            else
            {
                using Process term = Process.Start("kill", ["-s", "TERM", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                term.WaitForExit();
            }

            running.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        Stop(kill: true);
        await Task.Yield();
        _store.Dispose();
    }

    private async Task StartProcessAsync()
    {
        string executable = Locations.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nats-server is not installed: apt-get install -y nats-server (.ci/run does it)");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args = _config is null
            ? ["-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", _store.Path]
            : ["-c", _config];
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }
}
