using Sigs.Plugins;

namespace Sigs.Host.Engine;

/// <summary>A detection: which signature fired, on which event, with its details.</summary>
internal sealed record Finding(
    DateTimeOffset Time,
    SignatureMetadata Signature,
    SecurityEvent Event,
    IReadOnlyDictionary<string, object?> Data);

/// <summary>Where the engine hands findings. Implementations must be thread-safe.</summary>
internal interface IFindingSink
{
    void Publish(Finding finding);
}
