using Microsoft.Extensions.Logging;
using Sigs.Host.Contract;

namespace Sigs.Host.Feeds.Files;

/// <summary>
/// Reads a JSON-lines file in any format <c>sigs replay</c> reads, from its start; with <c>follow</c> it keeps
/// reading as the file grows, across rotation and truncation, like <c>tail -F</c>.
/// </summary>
internal sealed partial class FileFeed(string path, bool follow, ILogger logger, TimeProvider? clock = null) : IEventFeed
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly InputCounters _lines = new();

    public string Name => $"file:{path}";

    public FeedCounters Counters { get; } = new();

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        await using Stream stream = follow
            ? new FollowedFileStream(path, PollInterval, message => LogRotation(logger, Name, message), clock ?? TimeProvider.System)
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, useAsync: true);
        Counters.SetConnected(true);
        var source = new JsonLinesSource(logger, _lines, onSkipped: (_, _, _) => Counters.CountDecodeError());
        await source.ReadAsync(stream, path, async securityEvent =>
        {
            Counters.CountEvent(securityEvent.Name);
            await sink.PublishAsync(securityEvent, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }
}
