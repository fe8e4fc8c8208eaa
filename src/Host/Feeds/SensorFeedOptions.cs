using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Sigs.Host.Configuration;

namespace Sigs.Host.Feeds;

/// <summary>The keys of a feed from a sensor's gRPC server that the native probe can stand in for.</summary>
internal abstract record SensorFeedOptions : FeedOptions
{
    [Description("Largest message accepted (default 4194304).")]
    [Range(1024, 268_435_456)]
    public int? MaxMessageBytes { get; init; }

    [Description("Run the native probe while the sensor is down for longer than fallbackGraceSeconds.")]
    [AllowedValues("native")]
    public string? Fallback { get; init; }

    [Description("How long the sensor may be down before the fallback starts (default 10).")]
    [Range(0, 3600)]
    public double? FallbackGraceSeconds { get; init; }

    /// <summary>The rule the schema cannot say: a grace period needs a fallback.</summary>
    public string? FallbackProblem() =>
        FallbackGraceSeconds is not null && Fallback is null ? "fallbackGraceSeconds: needs fallback: native" : null;
}

/// <summary>The keys of a feed that receives HTTP requests.</summary>
internal abstract record ReceiverFeedOptions : FeedOptions
{
    [Description("Largest request body accepted.")]
    [Range(1024, 1_073_741_824)]
    public long? MaxBodyBytes { get; init; }

    [Description("Requests received at once; past it 503 with Retry-After (default 16).")]
    [Range(1, 4096)]
    public int? MaxConcurrentRequests { get; init; }

    [Description("Bytes of all bodies being received together; past it 503 with Retry-After (default 67108864).")]
    [Range(1024, 17_179_869_184)]
    public long? MaxBufferedBytes { get; init; }

    [Description("A file holding the bearer token every request must carry (401 otherwise).")]
    [MinLength(1)]
    public string? BearerTokenFile { get; init; }

    [Description("HTTPS for an https:// listen: certFile, keyFile, and clientCaFile to require client certificates.")]
    public Common.WebTlsOptions? Tls { get; init; }

    [Description("Allow listening beyond loopback with neither bearerTokenFile nor tls.clientCaFile (a warning at every start).")]
    public bool Insecure { get; init; }

    /// <summary>The rule the schema cannot say: beyond loopback, a token or client certificates, unless insecure.</summary>
    public string? ExposureProblem(string listen) => Common.Exposure.Problem(listen, BearerTokenFile, Tls, Insecure);

    public ReceiverLimits Limits(long defaultMaxBodyBytes) => new(
        MaxBodyBytes ?? defaultMaxBodyBytes,
        MaxConcurrentRequests ?? ReceiverLimits.DefaultMaxConcurrentRequests,
        MaxBufferedBytes ?? ReceiverLimits.DefaultMaxBufferedBytes);

    public Common.WebAccess Access(string feedType) => Common.WebAccess.FromTokenFile(BearerTokenFile, $"feeds[{feedType}].bearerTokenFile", Tls, $"feeds[{feedType}].tls");
}
