using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds;

internal static partial class InvalidUtf8
{
    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "An input held bytes that are not UTF-8; they were replaced with U+FFFD and the input decoded (logged once; counted as sigs_input_invalid_utf8_total)")]
    private static partial void LogRepaired(ILogger logger);
}
