using Microsoft.Extensions.Logging;

namespace Sigs.Host.Engine;

internal sealed partial class SignatureRunner
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Signature {Id} threw from {Method} ({Input}): {Exception}: {Reason}")]
    private static partial void LogFault(ILogger logger, string id, string method, string input, string exception, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Signature {Id} isolated: {Reason}; it now gets events through its own queue of {Capacity} (overflow is dropped and counted) so the others keep their pace")]
    private static partial void LogIsolated(ILogger logger, string id, string reason, int capacity);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Signature {Id} quarantined after {Faults} faults within {Seconds} s; it receives nothing until {File} is reloaded")]
    private static partial void LogQuarantined(ILogger logger, string id, string file, int faults, double seconds);
}
