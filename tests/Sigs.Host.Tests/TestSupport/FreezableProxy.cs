using System.Net.Sockets;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>
/// A unix-socket relay in front of a server that can be frozen: from then on it keeps the connections open but
/// forwards nothing in either direction, like a peer whose machine hung or whose network dropped silently.
/// </summary>
internal sealed class FreezableProxy : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly string _target;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _frozen;

    public FreezableProxy(string listenPath, string targetPath)
    {
        _target = targetPath;
        File.Delete(listenPath);
        _listener.Bind(new UnixDomainSocketEndPoint(listenPath));
        _listener.Listen();
        _ = AcceptAsync();
    }

    public void Freeze() => _frozen = true;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                Socket client = await _listener.AcceptAsync(_stop.Token);
                var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await server.ConnectAsync(new UnixDomainSocketEndPoint(_target), _stop.Token);
                _ = PumpAsync(client, server);
                _ = PumpAsync(server, client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, _stop.Token)) > 0)
            {
                if (!_frozen)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closed or stopped.
        }
        finally
        {
            to.Dispose();
            from.Dispose();
        }
    }
}
