using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Sigs.Host.Configuration;

/// <summary>The host configuration; <c>schema/config.schema.json</c> is generated from these records (see <see cref="ConfigSchema"/>).</summary>
internal sealed record SigsConfig
{
    public PluginsConfig Plugins { get; init; } = new();

    [Description("Sigma rules run as signatures, each rule its own.")]
    public RulesConfig Rules { get; init; } = new();

    [Description("Where findings go. Default: stdout. Each type takes only its own keys.")]
    public IReadOnlyList<OutputOptions>? Outputs { get; init; }

    [Description("Event sources for 'sigs run'. Each type takes only its own keys. With none, the native probe runs.")]
    public IReadOnlyList<FeedOptions> Feeds { get; init; } = [];

    [Description("Where the events of cross-node signatures go instead of (or beside) running here: to correlators over NATS JetStream.")]
    public IReadOnlyList<ForwardOptions> Forward { get; init; } = [];

    [Description("Per-signature settings, keyed by signature id.")]
    public IReadOnlyDictionary<string, SignatureSettings> Signatures { get; init; } = new Dictionary<string, SignatureSettings>();

    [Description("Which signatures run, by id or tag (plugins' and rules' alike); --enable and --disable add to it.")]
    public SelectConfig Select { get; init; } = new();

    public EngineConfig Engine { get; init; } = new();

    public AdminConfig Admin { get; init; } = new();

    public ShutdownConfig Shutdown { get; init; } = new();
}

internal sealed record PluginsConfig
{
    [Description("Plugin folder; relative to this file. Default: plugins/ beside the sigs executable.")]
    [MinLength(1)]
    public string? Dir { get; init; }

    [Description("sigs run: load, swap and unload plugins as they are copied in, replaced or removed (default true).")]
    public bool Watch { get; init; } = true;

    [Description("Load plugins even when a file or folder is writable by group or others or owned by another user (default false).")]
    public bool AllowInsecurePermissions { get; init; }

    /// <summary>Pinning: file name to SHA-256; when set, only these plugins load.</summary>
    [Description("Pinning: plugin file name -> SHA-256 (lower-case hex). When set, every other plugin is refused.")]
    [ValuePattern("^[0-9a-f]{64}$")]
    public IReadOnlyDictionary<string, string>? Trusted { get; init; }
}

internal sealed record RulesConfig
{
    [Description("Folders (searched recursively) or files of Sigma rules and filters (.yml, .yaml); relative to this file.")]
    public IReadOnlyList<string> Dirs { get; init; } = [];

    [Description("Values of the placeholders that rules' 'expand' modifier names: %name% -> the values it stands for.")]
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Placeholders { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    [Description("How much state each Sigma correlation may keep.")]
    public CorrelationConfig Correlation { get; init; } = new();
}

/// <summary>The bounds of one Sigma correlation's state.</summary>
internal sealed record CorrelationConfig
{
    [Description("Groups (distinct group-by values) open at once per correlation; the least recently used goes first (counted).")]
    [Range(1, 10_000_000)]
    public int MaxGroups { get; init; } = 10_000;

    [Description("Events kept per group within the timespan; the oldest goes first (counted). A condition needing more is refused.")]
    [Range(1, 100_000)]
    public int MaxEventsPerGroup { get; init; } = 100;
}

internal sealed record EngineConfig
{
    [Description("A signature that throws this many times within the window receives nothing until its plugin is reloaded.")]
    public QuarantineConfig Quarantine { get; init; } = new();

    [Description("A signature call running longer than this is treated as stuck: the signature is moved to its own bounded queue and the engine goes on (default 500).")]
    [Range(10, 60_000)]
    public int StallMilliseconds { get; init; } = 500;

    [Description("A signature whose sampled calls take longer than this (three times) is moved to its own bounded queue (default 50).")]
    [Range(1, 60_000)]
    public int SlowCallMilliseconds { get; init; } = 50;

    [Description("Events waiting for an isolated (slow or stuck) signature; more are dropped and counted (default 10000).")]
    [Range(1, int.MaxValue)]
    public int IsolatedQueueCapacity { get; init; } = 10_000;
}

internal sealed record QuarantineConfig
{
    [Range(1, int.MaxValue)]
    public int Faults { get; init; } = 10;

    [Range(1, int.MaxValue)]
    public int WindowSeconds { get; init; } = 60;
}

internal sealed record AdminConfig
{
    public const string DefaultListen = "http://127.0.0.1:9376";

    [Description("Serve /healthz, /plugins and /metrics (default true).")]
    public bool Enabled { get; init; } = true;

    [Description("Default http://127.0.0.1:9376; https:// with tls.")]
    [RegularExpression("^https?://")]
    public string Listen { get; init; } = DefaultListen;

    /// <summary>A file holding the bearer token every request must carry; none when null.</summary>
    [Description("A file holding the bearer token every request must carry (401 otherwise).")]
    [MinLength(1)]
    public string? BearerTokenFile { get; init; }

    [Description("HTTPS for an https:// listen: certFile, keyFile, and clientCaFile to require client certificates.")]
    public Common.WebTlsOptions? Tls { get; init; }

    [Description("Allow listening beyond loopback with neither bearerTokenFile nor tls.clientCaFile (a warning at every start).")]
    public bool Insecure { get; init; }

    [Description("Serve /events: the contract events the engine runs, as JSON lines or compact text, selected by name, source and origin (default false; bounded per reader, at most 4 readers).")]
    public bool Events { get; init; }

    /// <summary>The rule the schema cannot say: beyond loopback, a token or client certificates, unless insecure.</summary>
    public string? Problem() => Enabled ? Common.Exposure.Problem(Listen, BearerTokenFile, Tls, Insecure, "admin.") : null;
}

internal sealed record ShutdownConfig
{
    [Description("How long a stop may take to drain queued events and flush outputs (default 10).")]
    [Range(1, 600)]
    public int DrainSeconds { get; init; } = 10;
}

internal sealed record SignatureSettings
{
    public bool Enabled { get; init; } = true;

    [Description("Validated against the signature's own JSON Schema.")]
    [Mapping]
    public JsonElement? Config { get; init; }
}
