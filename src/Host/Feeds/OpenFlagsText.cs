using System.Collections.Frozen;
using System.Globalization;

namespace Sigs.Host.Feeds;

/// <summary>Parses open flags written as names (<c>O_RDONLY|O_LARGEFILE</c>), as used by Tracee and Falco.</summary>
internal static class OpenFlagsText
{
    // x86_64 and arm64 share these values.
    private static readonly FrozenDictionary<string, int> FlagValues = new Dictionary<string, int>
    {
        ["O_RDONLY"] = 0x0,
        ["O_WRONLY"] = 0x1,
        ["O_RDWR"] = 0x2,
        ["O_CREAT"] = 0x40,
        ["O_EXCL"] = 0x80,
        ["O_NOCTTY"] = 0x100,
        ["O_TRUNC"] = 0x200,
        ["O_APPEND"] = 0x400,
        ["O_NONBLOCK"] = 0x800,
        ["O_NDELAY"] = 0x800,
        ["O_DSYNC"] = 0x1000,
        ["O_ASYNC"] = 0x2000,
        ["FASYNC"] = 0x2000,
        ["O_DIRECT"] = 0x4000,
        ["O_LARGEFILE"] = 0x8000,
        ["O_DIRECTORY"] = 0x10000,
        ["O_NOFOLLOW"] = 0x20000,
        ["O_NOATIME"] = 0x40000,
        ["O_CLOEXEC"] = 0x80000,
        ["O_SYNC"] = 0x101000,
        ["O_PATH"] = 0x200000,
        ["O_TMPFILE"] = 0x410000,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Parses <c>O_RDONLY|O_CLOEXEC</c>, a plain number, or Falco's <c>524288(O_RDONLY|O_CLOEXEC)</c>.
    /// Unknown names are ignored (they cannot change the access mode); text with no access mode is null.
    /// </summary>
    public static int? TryParse(string text)
    {
        ReadOnlySpan<char> span = text.AsSpan().Trim();
        int open = span.IndexOf('(');
        if (open > 0 && int.TryParse(span[..open], NumberStyles.Integer, CultureInfo.InvariantCulture, out int prefixed))
        {
            return prefixed;
        }

        if (int.TryParse(span, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number))
        {
            return number;
        }

        int flags = 0;
        bool sawAccessMode = false;
        foreach (Range part in span.Split('|'))
        {
            ReadOnlySpan<char> name = span[part].Trim();
            if (FlagValues.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out int value))
            {
                flags |= value;
                sawAccessMode |= name is "O_RDONLY" or "O_WRONLY" or "O_RDWR" or "O_PATH";
            }
        }

        return sawAccessMode ? flags : null;
    }
}
