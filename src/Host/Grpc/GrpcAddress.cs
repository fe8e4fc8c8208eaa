namespace Sigs.Host.Grpc;

/// <summary>
/// Where a gRPC server listens: <c>unix:/path</c> or <c>unix:///path</c> (a unix socket), <c>tcp:HOST:PORT</c> or
/// <c>HOST:PORT</c>, or an <c>http://</c> / <c>https://</c> URL.
/// </summary>
internal sealed record GrpcAddress(string? UnixSocketPath, string? Host, int Port, bool UseTls)
{
    public static GrpcAddress Parse(string address, bool useTls)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            string path = address["unix:".Length..];
            path = path.StartsWith("//", StringComparison.Ordinal) ? path[2..] : path;
            return path.StartsWith('/')
                ? new GrpcAddress(path, null, 0, UseTls: false)
                : throw new FormatException($"'{address}': a unix socket address needs an absolute path (unix:/path or unix:///path)");
        }

        if (Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https")
        {
            return new GrpcAddress(null, uri.Host, uri.Port, uri.Scheme == "https" || useTls);
        }

        string hostPort = address.StartsWith("tcp:", StringComparison.Ordinal) ? address["tcp:".Length..] : address;
        int colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], out int port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{address}' is not unix:/PATH, tcp:HOST:PORT, HOST:PORT or an http(s) URL");
        }

        return new GrpcAddress(null, hostPort[..colon].Trim('[', ']'), port, useTls);
    }

    /// <summary>True for a unix socket or a loopback host: the server runs on this node.</summary>
    public static bool IsLocal(string address)
    {
        try
        {
            GrpcAddress parsed = Parse(address, useTls: false);
            return parsed.UnixSocketPath is not null || Common.WebAccess.IsLoopbackHost(parsed.Host!);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The base URI requests are sent to (the authority is nominal for unix sockets).</summary>
    public Uri BaseUri => UnixSocketPath is not null
        ? new Uri("http://localhost")
        : new UriBuilder(UseTls ? "https" : "http", Host, Port).Uri;

    public override string ToString() => UnixSocketPath is not null ? $"unix:{UnixSocketPath}" : $"{(UseTls ? "https" : "tcp")}://{Host}:{Port}";
}
