using Sigs.Plugins;

namespace Sigs.Host.Feeds.Files;

/// <summary>Reads a JSON-lines file in any format <c>sigs replay</c> reads.</summary>
internal sealed class FileFeed(string path, JsonLinesSource source) : IEventFeed
{
    public string Name => $"file:{path}";

    public async Task RunAsync(Func<SecurityEvent, ValueTask> publish, CancellationToken cancellationToken)
    {
        await using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, useAsync: true);
        await source.ReadAsync(stream, path, publish, cancellationToken).ConfigureAwait(false);
    }
}
