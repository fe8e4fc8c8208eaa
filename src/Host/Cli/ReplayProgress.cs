using System.Globalization;
using Sigs.Host.Feeds.Files;

namespace Sigs.Host.Cli;

/// <summary>
/// The progress line of a replay for people watching it: bytes read of the total, events per second, findings so
/// far and time left, on stderr, rewritten four times a second from the first second on (a short replay shows
/// none) and cleared at the end. Only when stderr is a terminal and <c>--quiet</c> is not given: CI logs and pipes
/// get the summary line alone.
/// </summary>
internal sealed class ReplayProgress : IDisposable
{
    private static readonly TimeSpan FirstAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    private readonly InputCounters _counters;
    private readonly Func<long> _findings;
    private readonly long? _totalBytes;
    private readonly TextWriter _error;
    private readonly TimeProvider _clock;
    private readonly long _started;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private bool _shown;
    private bool _done;

    private ReplayProgress(InputCounters counters, Func<long> findings, long? totalBytes, TextWriter error, TimeProvider clock)
    {
        (_counters, _findings, _totalBytes, _error, _clock) = (counters, findings, totalBytes, error, clock);
        _started = clock.GetTimestamp();
        _timer = clock.CreateTimer(_ => Refresh(), null, FirstAfter, Every);
    }

    /// <summary>Starts the line when stderr is a terminal; null otherwise, or when <paramref name="quiet"/>.</summary>
    public static ReplayProgress? Start(IReadOnlyList<string> inputs, InputCounters counters, Func<long> findings, bool quiet, TextWriter error, TimeProvider clock)
    {
        if (quiet || Console.IsErrorRedirected)
        {
            return null;
        }

        long? total = inputs.Contains("-") ? null : inputs.Sum(input => new FileInfo(input).Length);
        return new ReplayProgress(counters, findings, total, error, clock);
    }

    /// <summary>The line's text: <c>replay: 120.4 MB of 240.0 MB (50%), 61,200 events/s, 6,610 findings, 2 s left</c>.</summary>
    public static string Line(long bytes, long? totalBytes, long events, long findings, TimeSpan elapsed)
    {
        double seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        string read = totalBytes is { } total and > 0
            ? $"{Megabytes(bytes)} of {Megabytes(total)} ({Math.Min(100, bytes * 100 / total)}%)"
            : Megabytes(bytes);
        string rate = (events / seconds).ToString("N0", CultureInfo.InvariantCulture);
        string left = totalBytes is { } all && bytes > 0 && all > bytes
            ? $", {Math.Ceiling((all - bytes) / (bytes / seconds)).ToString("N0", CultureInfo.InvariantCulture)} s left"
            : string.Empty;
        return $"replay: {read}, {rate} events/s, {findings.ToString("N0", CultureInfo.InvariantCulture)} findings{left}";
    }

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    private void Refresh()
    {
        lock (_gate)
        {
            if (_done)
            {
                return;
            }

            string line = Line(_counters.Bytes, _totalBytes, _counters.TotalEvents, _findings(), _clock.GetElapsedTime(_started));
            _error.Write($"\r\u001b[K{line}"); // back to the line's start, clear it, write it again
            _error.Flush();
            _shown = true;
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            _done = true;
            if (_shown)
            {
                _error.Write("\r\u001b[K");
                _error.Flush();
            }
        }
    }
}
