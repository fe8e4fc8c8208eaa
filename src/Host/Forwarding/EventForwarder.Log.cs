using Microsoft.Extensions.Logging;

namespace Sigs.Host.Forwarding;

internal sealed partial class EventForwarder
{
    [LoggerMessage(EventId = 10101, Level = LogLevel.Warning, Message = "Forward {Forward} names signature {Signature}, which is not loaded: nothing is forwarded for it")]
    private static partial void LogNotLoaded(ILogger logger, string forward, string signature);

    [LoggerMessage(EventId = 10102, Level = LogLevel.Error, Message = "Signature {Signature}'s CorrelationKeys threw ({Reason}); the event was not forwarded for it ({Faults} so far)")]
    private static partial void LogKeyFault(ILogger logger, string signature, string reason, long faults);
}
