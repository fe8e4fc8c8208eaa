using Microsoft.Extensions.Logging;

namespace Sigs.Host.Admin;

internal sealed partial class AdminService
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Admin endpoint listening on {Address} (/livez, /readyz, /healthz, /plugins, /metrics{Events})")]
    private static partial void LogListening(ILogger logger, Uri address, string events);
}
