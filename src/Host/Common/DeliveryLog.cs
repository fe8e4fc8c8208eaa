using Microsoft.Extensions.Logging;

namespace Sigs.Host.Common;

/// <summary>What a <see cref="Delivery{T}"/> logs, each named by its role and name (<c>Output http:...</c>, <c>Forward nats:...</c>).</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "{Role} {Name} is failing: cannot deliver ({Reason}); {Items} wait and are retried with backoff (logged once until it recovers)")]
    public static partial void Failing(ILogger logger, string role, string name, string reason, string items);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "{Role} {Name} recovered: what waited is delivered")]
    public static partial void Recovered(ILogger logger, string role, string name);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Error, Message = "{Role} {Name} dropped {What}: {Reason} ({Dropped} {Items} dropped so far)")]
    public static partial void Dropped(ILogger logger, string role, string name, string what, string reason, long dropped, string items);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "{Role} {Name}: {Count} spooled messages from {Folder} are delivered first")]
    public static partial void Requeued(ILogger logger, string role, string name, int count, string folder);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "{Role} {Name} stopped with {Count} messages undelivered; {Fate}")]
    public static partial void Undelivered(ILogger logger, string role, string name, long count, string fate);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning, Message = "{Role} {Name}: spool: {Problem}; {Items} wait in memory while the spool has room (logged once until it changes)")]
    public static partial void SpoolFailing(ILogger logger, string role, string name, string problem, string items);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Information, Message = "{Role} {Name}: its spool works again")]
    public static partial void SpoolRecovered(ILogger logger, string role, string name);

    [LoggerMessage(EventId = 7108, Level = LogLevel.Information, Message = "{Role} {Name}: removed {Count} temporary files an interrupted write left in {Folder}")]
    public static partial void LeftoversRemoved(ILogger logger, string role, string name, int count, string folder);
}
