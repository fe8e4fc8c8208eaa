using System.Collections.Concurrent;
using Sigs.Host.Contract;
using Sigs.Plugins;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>Keeps what feeds publish; can pretend to be full.</summary>
internal sealed class CollectingEventSink : IEventSink
{
    private readonly ConcurrentQueue<SecurityEvent> _events = new();

    public bool Full { get; set; }

    public IReadOnlyList<SecurityEvent> Events => [.. _events];

    public ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
    {
        _events.Enqueue(securityEvent);
        return ValueTask.CompletedTask;
    }

    public bool TryPublishAll(IReadOnlyList<SecurityEvent> events)
    {
        if (Full)
        {
            return false;
        }

        foreach (SecurityEvent securityEvent in events)
        {
            _events.Enqueue(securityEvent);
        }

        return true;
    }

    public async Task WaitForCountAsync(int count, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (_events.Count < count)
        {
            await Task.Delay(20, cancel.Token);
        }
    }
}
