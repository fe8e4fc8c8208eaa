namespace Sigs.Host.Common;

/// <summary>How long a network feed waits before its first retry, and at most between retries.</summary>
internal sealed record ReconnectDelays(TimeSpan Initial, TimeSpan Maximum)
{
    public static ReconnectDelays Default { get; } = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
}
