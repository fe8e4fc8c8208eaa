using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds;

internal static partial class ArgumentForms
{
    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "{Source} argument '{Argument}' came as {Form}, a form Sigs does not understand: that part of the event is unknown (logged once; counted as sigs_argument_forms_unknown_total)")]
    private static partial void LogUnknownForm(ILogger logger, string source, string argument, string form);
}
