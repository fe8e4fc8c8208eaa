using System.Security.Cryptography;
using Grpc.Net.Client;
using Sigs.Host.Common;

namespace Sigs.Host.Grpc;

/// <summary>The channel of a gRPC feed, from its configured address, TLS files and message limit.</summary>
internal static class GrpcFeedChannel
{
    public static GrpcChannel Create(string address, TlsFiles? tls, int? maxMessageBytes)
    {
        try
        {
            GrpcAddress parsed = GrpcAddress.Parse(address, useTls: tls is not null);
            GrpcTlsOptions? tlsOptions = tls is null ? null : new GrpcTlsOptions(tls.CertFile, tls.KeyFile, tls.CaFile);
            return GrpcChannels.Create(parsed, tlsOptions, maxMessageBytes ?? GrpcChannels.DefaultMaxMessageBytes);
        }
        catch (FormatException ex)
        {
            throw new ConfigException($"feed address {ex.Message}");
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            throw new ConfigException($"feed {address}: cannot load the TLS files: {ex.Message}");
        }
    }
}
