using System.Text.Json;

namespace Sigs.Host.Configuration;

/// <summary>The host configuration, as described by <c>schema/config.schema.json</c>.</summary>
internal sealed record SigsConfig
{
    public PluginsConfig Plugins { get; init; } = new();

    public IReadOnlyList<OutputConfig> Outputs { get; init; } = [new OutputConfig { Type = OutputConfig.Stdout }];

    public IReadOnlyList<FeedConfig> Feeds { get; init; } = [];

    public IReadOnlyDictionary<string, SignatureSettings> Signatures { get; init; } = new Dictionary<string, SignatureSettings>();

    public EngineConfig Engine { get; init; } = new();

    public AdminConfig Admin { get; init; } = new();

    public ShutdownConfig Shutdown { get; init; } = new();
}

internal sealed record PluginsConfig
{
    public string? Dir { get; init; }

    public bool Watch { get; init; } = true;

    public bool AllowInsecurePermissions { get; init; }

    /// <summary>Pinning: file name to SHA-256; when set, only these plugins load.</summary>
    public IReadOnlyDictionary<string, string>? Trusted { get; init; }
}

internal sealed record EngineConfig
{
    public QuarantineConfig Quarantine { get; init; } = new();

    public int StallMilliseconds { get; init; } = 500;

    public int SlowCallMilliseconds { get; init; } = 50;

    public int IsolatedQueueCapacity { get; init; } = 10_000;
}

internal sealed record QuarantineConfig
{
    public int Faults { get; init; } = 10;

    public int WindowSeconds { get; init; } = 60;
}

internal sealed record AdminConfig
{
    public const string DefaultListen = "http://127.0.0.1:9376";

    public bool Enabled { get; init; } = true;

    public string Listen { get; init; } = DefaultListen;

    /// <summary>A file holding the bearer token every request must carry; none when null.</summary>
    public string? BearerTokenFile { get; init; }
}

internal sealed record ShutdownConfig
{
    public int DrainSeconds { get; init; } = 10;
}

internal sealed record OutputConfig
{
    public const string Stdout = "stdout";
    public const string File = "file";
    public const string Http = "http";

    public required string Type { get; init; }

    public string? Path { get; init; }

    public double? MaxSizeMB { get; init; }

    public int MaxFiles { get; init; } = 5;

    public int? FsyncSeconds { get; init; }

    public string? Url { get; init; }

    public string Format { get; init; } = "sigs";

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public string? SpoolDir { get; init; }

    public int QueueCapacity { get; init; } = 10_000;

    public int TimeoutSeconds { get; init; } = 10;
}

internal sealed record FeedConfig
{
    public const string Tracee = "tracee";
    public const string FalcoHttp = "falco-http";
    public const string FalcoGrpc = "falco-grpc";
    public const string KubernetesAudit = "k8s-audit";
    public const string File = "file";
    public const string Native = "native";

    public required string Type { get; init; }

    /// <summary>tracee, falco-grpc: the gRPC server (unix:/PATH, tcp:HOST:PORT).</summary>
    public string? Address { get; init; }

    /// <summary>tracee: the policies to stream; empty for all.</summary>
    public IReadOnlyList<string> Policies { get; init; } = [];

    /// <summary>falco-http, k8s-audit: the http:// URL to listen on.</summary>
    public string? Listen { get; init; }

    /// <summary>file: the JSON-lines file.</summary>
    public string? Path { get; init; }

    /// <summary>file: keep reading as it grows, across rotation.</summary>
    public bool Follow { get; init; }

    /// <summary>tracee, falco-grpc: the largest message accepted.</summary>
    public int? MaxMessageBytes { get; init; }

    /// <summary>falco-http, k8s-audit: the largest request body accepted.</summary>
    public long? MaxBodyBytes { get; init; }

    /// <summary>falco-http, k8s-audit: requests received at once, at most (default 16).</summary>
    public int? MaxConcurrentRequests { get; init; }

    /// <summary>falco-http, k8s-audit: bytes of all bodies being received together, at most (default 64 MiB).</summary>
    public long? MaxBufferedBytes { get; init; }

    /// <summary>falco-http, k8s-audit: a file holding the bearer token every request must carry.</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>falco-grpc over TCP: mutual TLS, which Falco requires there.</summary>
    public TlsConfig? Tls { get; init; }

    /// <summary>tracee, falco-grpc: <c>native</c> runs Sigs' own probe while the sensor is down.</summary>
    public string? Fallback { get; init; }

    /// <summary>How long the sensor may be down before the fallback starts (default 10 s).</summary>
    public double? FallbackGraceSeconds { get; init; }
}

internal sealed record TlsConfig
{
    public required string CertFile { get; init; }

    public required string KeyFile { get; init; }

    public required string CaFile { get; init; }
}

internal sealed record SignatureSettings
{
    public bool Enabled { get; init; } = true;

    public JsonElement? Config { get; init; }
}
