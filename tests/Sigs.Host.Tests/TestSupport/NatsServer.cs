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
    private Process? _process;

    private NatsServer(int port) => Port = port;

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public static async Task<NatsServer> StartAsync(int? port = null)
    {
        var server = new NatsServer(port ?? Ports.Free());
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
        foreach (string arg in (string[])["-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", _store.Path])
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
