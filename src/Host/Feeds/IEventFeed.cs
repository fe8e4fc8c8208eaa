using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>A source of events for <c>sigs run</c>. It runs until its input ends or it is cancelled.</summary>
internal interface IEventFeed
{
    string Name { get; }

    Task RunAsync(Func<SecurityEvent, ValueTask> publish, CancellationToken cancellationToken);
}
