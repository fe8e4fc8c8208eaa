using Microsoft.Extensions.Logging;

namespace Sigs.Host.Common;

internal sealed partial class WebAccess
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "{Endpoint} listens on {Address}, beyond loopback, over plain HTTP {Access}; put TLS in front of it")]
    private static partial void LogBeyondLoopback(ILogger logger, string endpoint, Uri address, string access);
}
