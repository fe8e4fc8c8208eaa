using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Host.Loading;
using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>
/// Owns one initialized signature: delivers events and signals to it, contains its exceptions, and counts what
/// it did. Only the engine's dispatch thread calls <see cref="Deliver"/> and <see cref="Signal"/>, and findings are
/// reported from inside them, so the counters are written by that one thread without atomics; other threads
/// read them with <see cref="Volatile"/> (64-bit reads do not tear).
/// </summary>
internal sealed partial class SignatureRunner
{
    private readonly ILogger _logger;
    private long _events;
    private long _findings;
    private long _faults;

    public SignatureRunner(Signature signature, SignatureMetadata metadata, PluginInfo plugin, ILogger logger)
    {
        Signature = signature;
        Metadata = metadata;
        Plugin = plugin;
        Selectors = signature.Selectors.ToArray();
        _logger = logger;
    }

    public Signature Signature { get; }

    public SignatureMetadata Metadata { get; }

    public PluginInfo Plugin { get; }

    /// <summary>The selectors read once at load; a signature cannot change them later.</summary>
    public IReadOnlyList<EventSelector> Selectors { get; }

    public long Events => Volatile.Read(ref _events);

    public long Findings => Volatile.Read(ref _findings);

    public long Faults => Volatile.Read(ref _faults);

    public void Deliver(SecurityEvent securityEvent)
    {
        _events++;
        try
        {
            Signature.OnEvent(securityEvent);
        }
        catch (Exception ex)
        {
            _faults++;
            LogFault(_logger, Metadata.Id, "OnEvent", securityEvent.Name, ex.GetType().Name, ex.Message);
        }
    }

    public void Signal(Signal signal)
    {
        try
        {
            Signature.OnSignal(signal);
        }
        catch (Exception ex)
        {
            _faults++;
            LogFault(_logger, Metadata.Id, "OnSignal", signal.Kind.ToString(), ex.GetType().Name, ex.Message);
        }
    }

    public void CountFinding() => _findings++;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signature {Id} threw from {Method} ({Input}): {Exception}: {Reason}")]
    private static partial void LogFault(ILogger logger, string id, string method, string input, string exception, string reason);
}

/// <summary>The host's side of <see cref="SignatureContext"/> for one signature.</summary>
internal sealed class HostSignatureContext(
    JsonElement config,
    TimeProvider clock,
    ILogger logger,
    IFindingSink sink) : SignatureContext
{
    private SignatureRunner? _runner;

    public override JsonElement Config { get; } = config;

    public override TimeProvider Clock { get; } = clock;

    /// <summary>Connects the context to its runner once the signature has been accepted.</summary>
    public void Attach(SignatureRunner runner) => _runner = runner;

    public override void Log(SignatureLogLevel level, string message)
    {
        LogLevel mapped = level switch
        {
            SignatureLogLevel.Debug => LogLevel.Debug,
            SignatureLogLevel.Information => LogLevel.Information,
            SignatureLogLevel.Warning => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if (logger.IsEnabled(mapped))
        {
            logger.Log(mapped, "{Message}", message);
        }
    }

    public override void Report(SecurityEvent trigger, IReadOnlyDictionary<string, object?>? data = null)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        SignatureRunner runner = _runner ?? throw new InvalidOperationException("A signature cannot report findings during Init.");
        runner.CountFinding();
        sink.Publish(new Finding(trigger.Time, runner.Metadata, trigger, data ?? EmptyData));
    }

    private static readonly IReadOnlyDictionary<string, object?> EmptyData = new Dictionary<string, object?>();
}
