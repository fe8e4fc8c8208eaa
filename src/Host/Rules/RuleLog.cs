using Microsoft.Extensions.Logging;

namespace Sigs.Host.Rules;

/// <summary>What loading rules logs (category <c>Sigs.Rules</c>).</summary>
internal static partial class RuleLog
{
    [LoggerMessage(EventId = 11001, Level = LogLevel.Warning, Message = "Rule refused: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);

    [LoggerMessage(EventId = 11002, Level = LogLevel.Information, Message = "Loaded {Count} Sigma rules from {Files} files ({Refused} refused)")]
    public static partial void Loaded(ILogger logger, int count, int files, int refused);

    [LoggerMessage(EventId = 11003, Level = LogLevel.Information, Message = "Rule {Id} does not run: {Why}")]
    public static partial void Disabled(ILogger logger, string id, string why);
}
