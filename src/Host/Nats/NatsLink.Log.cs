using Microsoft.Extensions.Logging;

namespace Sigs.Host.Nats;

internal sealed partial class NatsLink
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "NATS {Name}: cannot connect ({Reason}); retrying every {Seconds:0.#} s or so (logged once until it connects)")]
    private static partial void LogUnreachable(ILogger logger, string name, string reason, double seconds);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "NATS {Name}: connected after {Attempts} attempts")]
    private static partial void LogConnected(ILogger logger, string name, int attempts);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "NATS {Name}: connection lost ({Reason}); reconnecting")]
    private static partial void LogLost(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "NATS {Name}: connection back")]
    private static partial void LogBack(ILogger logger, string name);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning, Message = "NATS {Name}: connecting to {Url} without credentials (insecure: true): anyone who reaches the server can publish and read as this instance does")]
    private static partial void LogInsecure(ILogger logger, string name, string url);
}
