using Sigs.Host.Engine;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Engine;

/// <summary>In-process signatures for engine tests: record what they receive; optionally throw.</summary>
internal class RecordingSignature(string id, params EventSelector[] selectors) : Signature
{
    public List<SecurityEvent> Received { get; } = [];

    public List<Signal> Signals { get; } = [];

    public override SignatureMetadata Metadata { get; } = new()
    {
        Id = id, Version = "1", Name = id, EventName = "test", Description = "test", Severity = Severity.Low,
    };

    public override IReadOnlyList<EventSelector> Selectors { get; } = selectors;

    public override void OnEvent(SecurityEvent securityEvent) => Received.Add(securityEvent);

    public override void OnSignal(Signal signal) => Signals.Add(signal);
}

internal sealed class ThrowingSignature(string id, params EventSelector[] selectors) : RecordingSignature(id, selectors)
{
    public override void OnEvent(SecurityEvent securityEvent)
    {
        base.OnEvent(securityEvent);
        throw new InvalidOperationException("boom");
    }

    public override void OnSignal(Signal signal) => throw new InvalidOperationException("boom on signal");
}

internal static class TestEvents
{
    public static SecurityEvent Make(string name, string source = EventSources.Tracee, EventOrigin origin = EventOrigin.Host) => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        Source = source,
        Name = name,
        Origin = origin,
    };
}

/// <summary>Runners for test signatures, as the loader makes them for a plugin's.</summary>
internal static class TestRunners
{
    public static readonly PluginInfo Plugin = new("test", "/test.dll", "00", "00", ["test.dll"]);

    public static SignatureRunner Of(Signature signature, TimeProvider? clock = null) =>
        new(signature, signature.Metadata, Plugin, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, clock: clock);
}
