using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds;

internal sealed partial class ProcFillingFeed
{
    [LoggerMessage(EventId = 4026, Level = LogLevel.Warning, Message = "Feed {Feed}: process facts its events lack (the terminal, argv) stay unknown: {Why}")]
    private static partial void LogCannotFill(ILogger logger, string feed, string why);
}
