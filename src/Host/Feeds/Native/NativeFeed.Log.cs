using Microsoft.Extensions.Logging;

namespace Sigs.Host.Feeds.Native;

internal sealed partial class NativeFeed
{
    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "Native probe listening to process events (netlink process connector)")]
    private static partial void LogStarted(ILogger logger);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Native probe watching {Folders} ({Marks} fanotify marks in {Namespaces} mount namespaces)")]
    private static partial void LogWatching(ILogger logger, string folders, long marks, int namespaces);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "Native probe watching for {Folders} in new mount namespaces, none yet (a pod's or container's mounts are marked when its processes start)")]
    private static partial void LogFoldersFoundNowhere(ILogger logger, string folders);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "Native probe: {Problem}")]
    private static partial void LogFileProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "Native probe: the kernel dropped process events (socket buffer full); counted as decode errors")]
    private static partial void LogOverrun(ILogger logger);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Warning, Message = "Native probe: the engine queue is full; events are dropped ({Dropped} so far, logged at most every 10 s)")]
    private static partial void LogDropped(ILogger logger, long dropped);
}
