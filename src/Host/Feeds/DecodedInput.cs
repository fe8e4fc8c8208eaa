using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>
/// What decoding one input (a line, a request body, an audit <c>EventList</c>) gave: its events, and one reason per
/// part that could not be decoded. An input refused as a whole has no <see cref="Format"/>, no events and one
/// problem. This is the only way decode errors reach a feed or <c>sigs replay</c>.
/// </summary>
internal sealed class DecodedInput
{
    /// <summary>The input's format; null when it was refused as a whole.</summary>
    public InputFormat? Format { get; private set; }

    public List<SecurityEvent> Events { get; } = [];

    /// <summary>Why parts were skipped (<c>items[3]: ...</c>), or why the whole input was.</summary>
    public List<string> Problems { get; } = [];

    public bool Refused => Format is null;

    /// <summary>Adds the one event a single-event format decoded, if any; false when there was none.</summary>
    public bool AddOne(SecurityEvent? single)
    {
        if (single is not null)
        {
            Events.Add(single);
        }

        return single is not null;
    }

    /// <summary>
    /// Runs <paramref name="decode"/> at the decoding boundary: an <see cref="EventDecodeException"/>, or whatever
    /// a decoder did not expect of this input, refuses the whole input with its reason; it never escapes.
    /// </summary>
    public static DecodedInput From(Func<DecodedInput, InputFormat> decode) => From(decode, static (decode, decoded) => decode(decoded));

    /// <summary>As <see cref="From(Func{DecodedInput, InputFormat})"/>, with the input passed as <paramref name="input"/> (a span, say).</summary>
    public static DecodedInput From<TInput>(TInput input, Func<TInput, DecodedInput, InputFormat> decode)
        where TInput : allows ref struct
    {
        var decoded = new DecodedInput();
        try
        {
            decoded.Format = decode(input, decoded);
            int unnamed = decoded.Events.RemoveAll(e => string.IsNullOrEmpty(e.Name) || string.IsNullOrEmpty(e.Source));
            if (unnamed > 0)
            {
                // Every format's decoder may meet an empty event name; no event leaves the boundary without one.
                if (decoded.Events.Count == 0 && decoded.Problems.Count == 0)
                {
                    throw new EventDecodeException("the event has an empty name");
                }

                decoded.Problems.Add($"{unnamed} events with an empty name skipped");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            decoded.Events.Clear();
            decoded.Problems.Clear();
            decoded.Problems.Add(ex is EventDecodeException ? ex.Message : $"cannot decode: {ex.GetType().Name}: {ex.Message}");
        }

        return decoded;
    }
}
