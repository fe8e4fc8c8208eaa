using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sigs.Host.Feeds;

/// <summary>
/// Sensor arguments that arrived in a form Sigs does not understand (a number where a path belongs, flags with no
/// access mode, an inode mode that is neither a number nor Tracee's names). The event is still delivered with that
/// part unknown; here the form is counted per source and argument and logged once per pair. The keys are bounded:
/// sources are the contract's, arguments the names the decoders interpret.
/// </summary>
internal static partial class ArgumentForms
{
    private static readonly ConcurrentDictionary<(string Source, string Argument), RecordedCount> Counts = new();
    private static SigsInstruments? _instruments;

    /// <summary>Where the once-per-pair log lines go; the host sets it at start.</summary>
    public static ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Unknown forms so far, per source and argument.</summary>
    public static IReadOnlyDictionary<(string Source, string Argument), long> Unknown =>
        Counts.ToDictionary(c => c.Key, c => c.Value.Value);

    /// <summary>Records on the host's instruments from now on (the host attaches at start), starting with what was counted before.</summary>
    public static void Attach(SigsInstruments instruments)
    {
        _instruments = instruments;
        foreach (((string source, string argument), RecordedCount count) in Counts)
        {
            AttachCount(count, source, argument);
        }
    }

    /// <summary>How a text value is named in the log line: quoted, cut after 40 characters.</summary>
    public static string TextForm(string text) => $"the text '{(text.Length > 40 ? text[..40] + "..." : text)}'";

    /// <summary>Counts one value of <paramref name="argument"/> in <paramref name="form"/>; the first of each pair is logged.</summary>
    public static void CountUnknown(string source, string argument, string form)
    {
        RecordedCount count = Counts.GetOrAdd((source, argument), static key =>
        {
            var count = new RecordedCount();
            AttachCount(count, key.Source, key.Argument);
            return count;
        });
        if (count.Add() == 1)
        {
            LogUnknownForm(Logger, source, argument, form);
        }
    }

    private static void AttachCount(RecordedCount count, string source, string argument)
    {
        if (_instruments is { } instruments)
        {
            count.Attach(instruments, instruments.ArgumentFormsUnknown, SigsInstruments.Tag("source", source), SigsInstruments.Tag("argument", argument));
        }
    }
}
