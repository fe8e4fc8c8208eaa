using System.Globalization;
using Sigs.Host.Feeds.Tracee.Proto;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>
/// One Tracee argument value, whatever form it came in: a number (raw values: flags, inode modes), text (paths,
/// and the names Tracee writes when it parses arguments), or a list of strings (argv). Read from legacy
/// <c>tracee -o json</c>, from Tracee's v1beta1 JSON (a plain <c>value</c>, or a protojson oneof member, where 64-bit
/// integers are strings; the decoder unwraps protojson's <c>{"value": [...]}</c> arrays first), and from the v1beta1 protobuf.
/// </summary>
internal readonly record struct TraceeValue(TraceeValueKind Kind, long Number = 0, string? Text = null, IReadOnlyList<string>? Strings = null)
{
    public static TraceeValue None { get; } = new(TraceeValueKind.None);

    /// <summary>A short description of the value's form, for the unknown-form log line.</summary>
    public string Form => Kind switch
    {
        TraceeValueKind.Number => $"the number {Number}",
        TraceeValueKind.Text => ArgumentForms.TextForm(Text!),
        TraceeValueKind.Strings => "a list of strings",
        TraceeValueKind.None => "nothing",
        _ => "another type",
    };

    /// <summary>The value as an integer: a number, or text that is one (protojson's 64-bit integers, Tracee's fallback when it cannot parse).</summary>
    public long? Integer => Kind switch
    {
        TraceeValueKind.Number => Number,
        TraceeValueKind.Text when long.TryParse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) => parsed,
        _ => null,
    };

    public static TraceeValue FromProto(EventValue value) => value.ValueCase switch
    {
        EventValue.ValueOneofCase.None => None,
        EventValue.ValueOneofCase.Str => new(TraceeValueKind.Text, Text: value.Str),
        EventValue.ValueOneofCase.Int32 => new(TraceeValueKind.Number, value.Int32),
        EventValue.ValueOneofCase.Int64 => new(TraceeValueKind.Number, value.Int64),
        EventValue.ValueOneofCase.UInt32 => new(TraceeValueKind.Number, value.UInt32),
        EventValue.ValueOneofCase.UInt64 => new(TraceeValueKind.Number, unchecked((long)value.UInt64)),
        EventValue.ValueOneofCase.StrArray => new(TraceeValueKind.Strings, Strings: [.. value.StrArray.Value]),
        _ => new(TraceeValueKind.Other),
    };
}

internal enum TraceeValueKind
{
    None,
    Number,
    Text,
    Strings,
    Other,
}
