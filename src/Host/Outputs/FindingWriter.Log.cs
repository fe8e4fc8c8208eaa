using Microsoft.Extensions.Logging;

namespace Sigs.Host.Outputs;

internal sealed partial class FindingWriter
{
    [LoggerMessage(EventId = 5006, Level = LogLevel.Error, Message = "Output {Output} failed to write a {Signature} finding: {Reason}")]
    private static partial void LogOutputFailed(ILogger logger, string output, string signature, string reason);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Error, Message = "A {Signature} finding was dropped: the findings queue ({Capacity}) is full, an output cannot keep up; {Dropped} dropped so far (logged at the 1st, 2nd, 4th... drop)")]
    private static partial void LogDropped(ILogger logger, string signature, int capacity, long dropped);
}
