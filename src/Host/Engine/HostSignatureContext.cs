using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>The host's side of <see cref="SignatureContext"/> for one signature.</summary>
internal sealed class HostSignatureContext(
    JsonElement config,
    TimeProvider clock,
    ILogger logger,
    IFindingSink sink) : SignatureContext
{
    private static readonly IReadOnlyDictionary<string, object?> EmptyData = new Dictionary<string, object?>();
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

    /// <summary>Counted once the signature runs; evictions during Init (none should happen) are not.</summary>
    public override void CountEvictions(long count) => _runner?.CountEvictions(count);

    public override void Report(SecurityEvent trigger, IReadOnlyDictionary<string, object?>? data = null)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        SignatureRunner runner = _runner ?? throw new InvalidOperationException("A signature cannot report findings during Init.");
        if (runner.Replaying)
        {
            return; // reported by the run that processed the event first
        }

        runner.CountFinding();
        sink.Publish(new Finding(trigger.Time, runner.Metadata, trigger, data ?? EmptyData));
    }
}
