using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Sigs.Host.Contract;
using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Host.Admin;

/// <summary>
/// <c>GET /events</c> (with <c>admin.events: true</c>): the contract events the engine runs from now on, one per
/// line, as <c>sigs replay --events</c> prints them: JSON lines, or <c>format=compact</c> text. Selected by
/// <c>name</c> (repeated or comma-separated), <c>source</c> and <c>origin</c>; <c>limit=N</c> ends the stream after N
/// events. Events a slow reader had no room for are said in a line <c># N events dropped ...</c> where they were.
/// </summary>
internal static partial class EventStream
{
    public static async Task ServeAsync(HttpContext http, EventMirror mirror, ILogger logger)
    {
        if (Query.Problem(http.Request.Query) is { } problem)
        {
            await Refuse(http, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
            return;
        }

        Query query = Query.From(http.Request.Query);
        using EventMirror.Reader? reader = mirror.TryAdd(query.Wants);
        if (reader is null)
        {
            await Refuse(http, StatusCodes.Status429TooManyRequests, $"at most {EventMirror.MaxReaders} readers of /events at once").ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = query.Compact ? "text/plain; charset=utf-8" : "application/x-ndjson";
        await http.Response.StartAsync(http.RequestAborted).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false); // the headers now: a reader knows it is reading before any event
        long sent = 0, dropped = 0;
        try
        {
            while (sent < query.Limit && await reader.Events.WaitToReadAsync(http.RequestAborted).ConfigureAwait(false))
            {
                while (sent < query.Limit && reader.Events.TryRead(out SecurityEvent? e))
                {
                    string line = query.Compact ? CompactEvent.Format(e) : JsonSerializer.Serialize(e, ContractJson.Event);
                    await http.Response.WriteAsync(line + "\n", http.RequestAborted).ConfigureAwait(false);
                    sent++;
                }

                // A full queue refuses the newest events: they were lost after everything queued, which is now sent.
                if (reader.TakeDropped() is > 0 and long missed)
                {
                    dropped += missed;
                    await http.Response.WriteAsync($"# {missed} events dropped here: this reader fell behind (a queue of {EventMirror.QueueCapacity})\n", http.RequestAborted).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The reader went away.
        }
        finally
        {
            LogReaderDone(logger, sent, dropped + reader.TakeDropped());
        }
    }

    private static Task Refuse(HttpContext http, int status, string reason)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsync(reason + "\n", http.RequestAborted);
    }

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "A reader of /events left: {Sent} events sent, {Dropped} dropped because it fell behind")]
    private static partial void LogReaderDone(ILogger logger, long sent, long dropped);

    /// <summary>What a reader asked for.</summary>
    private sealed record Query(IReadOnlySet<string>? Names, string? Source, EventOrigin? Origin, bool Compact, long Limit)
    {
        private static readonly string[] Known = ["name", "source", "origin", "format", "limit"];

        public bool Wants(SecurityEvent e) =>
            (Names is null || Names.Contains(e.Name)) && (Source is null || Source == e.Source) && (Origin is null || Origin == e.Origin);

        /// <summary>The query <see cref="Problem"/> found nothing wrong with.</summary>
        public static Query From(IQueryCollection query) => new(
            NamesIn(query["name"]),
            query["source"] is { Count: > 0 } source ? source[0] : null,
            query["origin"] is { Count: > 0 } origin ? (origin[0] == EventOrigins.Host ? EventOrigin.Host : EventOrigin.Container) : null,
            query["format"] == "compact",
            query["limit"] is { Count: > 0 } limit ? long.Parse(limit[0]!, CultureInfo.InvariantCulture) : long.MaxValue);

        /// <summary>The first thing wrong with the query, as a line naming the parameter; null when it is right.</summary>
        public static string? Problem(IQueryCollection query)
        {
            if (query.Keys.FirstOrDefault(k => !Known.Contains(k, StringComparer.Ordinal)) is { } unknown)
            {
                return $"/events: unknown parameter '{unknown}' (known: {string.Join(", ", Known)})";
            }

            if (query["origin"] is { Count: > 0 } origin && (origin.Count > 1 || origin[0] is not (EventOrigins.Host or EventOrigins.Container)))
            {
                return "/events: origin must be host or container";
            }

            if (query["format"] is { Count: > 0 } format && (format.Count > 1 || format[0] is not ("json" or "compact")))
            {
                return "/events: format must be json or compact";
            }

            if (query["limit"] is { Count: > 0 } limit && (limit.Count > 1 || !long.TryParse(limit[0], NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n < 1))
            {
                return "/events: limit must be a positive integer";
            }

            return query["source"].Count > 1 ? "/events: give one source" : null;
        }

        private static HashSet<string>? NamesIn(StringValues values)
        {
            HashSet<string> names = [.. values.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
            return names.Count == 0 ? null : names;
        }
    }
}
