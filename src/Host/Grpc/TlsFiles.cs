using System.ComponentModel.DataAnnotations;

namespace Sigs.Host.Grpc;

/// <summary>PEM files for mutual TLS.</summary>
internal sealed record TlsFiles
{
    [MinLength(1)]
    public required string CertFile { get; init; }

    [MinLength(1)]
    public required string KeyFile { get; init; }

    [MinLength(1)]
    public required string CaFile { get; init; }
}
