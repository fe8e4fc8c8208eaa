using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Sigs.Host.Common;

/// <summary>
/// How many connections one client address may hold open on a Sigs listener at once. Connections that never send
/// a request are closed by Kestrel's header and keep-alive timeouts (<see cref="LoopbackWebApp"/>); this bounds
/// what one address can hold meanwhile, so strangers holding idle sockets can neither take the whole listener nor
/// keep a sensor out. Past the bound a new connection from that address is closed at once and handed to
/// <c>onRefused</c> with the count so far.
/// </summary>
internal sealed class ConnectionLimits(Action<IPAddress, long>? onRefused = null, int perAddress = ConnectionLimits.DefaultPerAddress)
{
    public const int DefaultPerAddress = 256;

    private readonly ConcurrentDictionary<IPAddress, int> _open = new();
    private long _refused;

    /// <summary>Connections closed at once because their address held as many as it may.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Runs <paramref name="next"/> for the connection if its address may open another; closes it otherwise.</summary>
    public async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        IPAddress address = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        if (_open.AddOrUpdate(address, 1, (_, count) => count + 1) > perAddress)
        {
            Leave(address);
            onRefused?.Invoke(address, Interlocked.Increment(ref _refused));
            connection.Abort(new ConnectionAbortedException($"{address} holds {perAddress} connections already"));
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Leave(address);
        }
    }

    private void Leave(IPAddress address)
    {
        if (_open.AddOrUpdate(address, 0, (_, count) => count - 1) <= 0)
        {
            _open.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    }
}
