using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.Files;

internal sealed partial class JsonLinesSource
{
    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "{File}:{Line}: skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string file, long line, string reason);
}
