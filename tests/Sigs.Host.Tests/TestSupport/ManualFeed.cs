using System.Threading.Channels;
using Sigs.Host.Contract;
using Sigs.Host.Feeds;
using Sigs.Plugins;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>A feed the test pushes events into; they go through the real queue and engine loop.</summary>
internal sealed class ManualFeed : IEventFeed
{
    private readonly Channel<SecurityEvent> _events = Channel.CreateUnbounded<SecurityEvent>();

    public string Name => "manual";

    public FeedCounters Counters { get; } = new();

    public void Push(SecurityEvent securityEvent) => _events.Writer.TryWrite(securityEvent);

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        Counters.SetConnected(true);
        await foreach (SecurityEvent securityEvent in _events.Reader.ReadAllAsync(cancellationToken))
        {
            Counters.CountEvent(securityEvent.Name);
            await sink.PublishAsync(securityEvent, cancellationToken);
        }
    }
}
