namespace Sigs.Host.Engine;

/// <summary>
/// How runners contain misbehaving signatures: quarantine after <paramref name="MaxFaults"/> exceptions within
/// <paramref name="FaultWindow"/>; isolation onto an own queue of <paramref name="IsolatedQueueCapacity"/> events
/// once sampled calls take longer than <paramref name="SlowCall"/> (three times) or one call stalls.
/// </summary>
internal sealed record RunnerPolicy(int MaxFaults, TimeSpan FaultWindow, TimeSpan SlowCall, int IsolatedQueueCapacity)
{
    public const int SlowSamplesToIsolate = 3;

    public static RunnerPolicy Default { get; } = new(10, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50), 10_000);
}
