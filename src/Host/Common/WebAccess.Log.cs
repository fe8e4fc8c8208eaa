using Microsoft.Extensions.Logging;

namespace Sigs.Host.Common;

internal sealed partial class WebAccess
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "{Endpoint} listens on {Address}, beyond loopback, over plain HTTP {Access}; put TLS in front of it")]
    private static partial void LogBeyondLoopback(ILogger logger, string endpoint, Uri address, string access);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "{Endpoint} listens on {Address}, beyond loopback, with neither a bearer token nor client certificates (insecure: true): anyone who reaches it is answered")]
    private static partial void LogInsecure(ILogger logger, string endpoint, Uri address);
}
