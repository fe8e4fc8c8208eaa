using Microsoft.Extensions.Logging;

namespace Sigs.Host.Outputs;

internal sealed partial class FindingWriter
{
    [LoggerMessage(EventId = 5006, Level = LogLevel.Error, Message = "Output {Output} failed to write a {Signature} finding: {Reason}")]
    private static partial void LogOutputFailed(ILogger logger, string output, string signature, string reason);
}
