using System.Text;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sigs.Host.Common;

namespace Sigs.Host.Feeds;

/// <summary>
/// JSON inputs with bytes that are not UTF-8 (inside a string value: an attacker could otherwise hide an exec behind
/// one bad byte in its name). Such an input is not dropped: every invalid sequence becomes U+FFFD, the input is
/// decoded as usual, and it is counted (<c>sigs_input_invalid_utf8_total</c>) and logged once.
/// </summary>
internal static partial class InvalidUtf8
{
    private static readonly RecordedCount RepairedCount = new();

    /// <summary>Where the once-only log line goes; the host sets it at start.</summary>
    public static ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Inputs repaired so far.</summary>
    public static long Repaired => RepairedCount.Value;

    /// <summary>Records on the host's instruments from now on (the host attaches at start), starting with what was counted before.</summary>
    public static void Attach(SigsInstruments instruments) => RepairedCount.Attach(instruments, instruments.InvalidUtf8);

    /// <summary><paramref name="json"/> itself when it is valid UTF-8, else a copy with U+FFFD for each invalid sequence.</summary>
    public static ReadOnlySpan<byte> Repair(ReadOnlySpan<byte> json)
    {
        if (Utf8.IsValid(json))
        {
            return json;
        }

        if (RepairedCount.Add() == 1)
        {
            LogRepaired(Logger);
        }

        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json));
    }
}
