using System.Text;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>
/// Maps Tracee's named event arguments to the contract's typed parts, in every form Tracee sends them: raw (its
/// default: flags and inode modes as numbers) or parsed (<c>--output option:parse-arguments</c>, on main
/// <c>--enrichment decoded-data</c>: names such as <c>O_RDONLY|O_LARGEFILE</c> and <c>S_IFCHR</c>). Shared by the
/// JSON decoders and the gRPC feed, which differ only in how they read a value. A value in any other form leaves
/// its part unknown and is counted (<see cref="ArgumentForms"/>); the event is still delivered.
/// </summary>
internal static class TraceeArguments
{
    /// <summary>The inode mode's file type bits (<c>S_IFMT</c>) and the character-device type (<c>S_IFCHR</c>).</summary>
    private const long FileTypeMask = 0xF000;
    private const long CharacterDevice = 0x2000;

    /// <summary>The argument names read into typed parts; only these are kept as <see cref="TraceeValue"/>s.</summary>
    private static readonly string[] Interpreted = ["flags", "stdin_type", "stdin_path", "pathname", "argv", "old_path", "new_path"];

    private static readonly byte[][] InterpretedUtf8 = [.. Interpreted.Select(Encoding.UTF8.GetBytes)];

    /// <summary>True for the argument names read into typed parts.</summary>
    public static bool IsInterpreted(string name) => Array.IndexOf(Interpreted, name) >= 0;

    /// <summary>The interpreted name whose UTF-8 bytes these are, or null: no text is made for any other name.</summary>
    public static string? InterpretedName(ReadOnlySpan<byte> utf8)
    {
        for (int i = 0; i < InterpretedUtf8.Length; i++)
        {
            if (utf8.SequenceEqual(InterpretedUtf8[i]))
            {
                return Interpreted[i];
            }
        }

        return null;
    }

    /// <summary>
    /// Interactive means stdin is a character device that is a terminal: <c>S_IFCHR</c> and a path under
    /// <c>/dev/pts/</c>, <c>/dev/tty</c> or <c>/dev/console</c>. <c>/dev/null</c> is a character device and no terminal;
    /// a pipe, socket or file is not interactive. Either fact alone can rule it out; it takes both to rule it in, so
    /// with one unknown and the other not ruling it out, unknown.
    /// </summary>
    public static bool? Interactive(bool? characterDevice, string? stdinPath)
    {
        if (characterDevice == false || (stdinPath is not null && !IsTerminalPath(stdinPath)))
        {
            return false;
        }

        return characterDevice == true && stdinPath is not null ? true : null;
    }

    public static FileEventInfo? File(string eventName, IReadOnlyDictionary<string, TraceeValue> values) => eventName switch
    {
        EventNames.FileOpen => new FileEventInfo { Path = PathOf(values, "pathname"), Flags = Flags(values.GetValueOrDefault("flags", TraceeValue.None)) },
        EventNames.FileRename => PathOf(values, "new_path") is var newPath ? new FileEventInfo { OldPath = PathOf(values, "old_path"), NewPath = newPath, Path = newPath } : null,
        _ => null,
    };

    /// <summary>Adds what an exec event says about the new program to the process facts.</summary>
    public static ProcessInfo WithExecFacts(ProcessInfo process, IReadOnlyDictionary<string, TraceeValue> values)
    {
        string? stdinPath = PathOf(values, "stdin_path");
        bool? interactive = Interactive(IsCharacterDevice(values.GetValueOrDefault("stdin_type", TraceeValue.None)), stdinPath);
        return process with
        {
            Args = Argv(values.GetValueOrDefault("argv", TraceeValue.None)) ?? process.Args,
            Executable = PathOf(values, "pathname") ?? process.Executable,
            Interactive = interactive,
            Tty = interactive == true ? stdinPath : process.Tty,
        };
    }

    private static bool IsTerminalPath(string path) =>
        path.StartsWith("/dev/pts/", StringComparison.Ordinal) || path.StartsWith("/dev/tty", StringComparison.Ordinal) || path == "/dev/console";

    /// <summary><c>stdin_type</c>: the inode mode as a number (raw), or Tracee's names, file type first (<c>S_IFCHR|S_IRUSR|...</c>).</summary>
    private static bool? IsCharacterDevice(TraceeValue value)
    {
        if (value.Kind == TraceeValueKind.None)
        {
            return null;
        }

        if (value.Integer is long mode)
        {
            return (mode & FileTypeMask) == CharacterDevice;
        }

        if (value is { Kind: TraceeValueKind.Text, Text: { } text } && text.StartsWith("S_IF", StringComparison.Ordinal))
        {
            int end = text.IndexOf('|', StringComparison.Ordinal);
            return (end < 0 ? text : text[..end]).Trim() == "S_IFCHR";
        }

        return Unknown<bool?>("stdin_type", value);
    }

    /// <summary><c>flags</c>: the open flags as a number (raw) or as names.</summary>
    private static int? Flags(TraceeValue value)
    {
        switch (value.Kind)
        {
            case TraceeValueKind.None:
                return null;
            case TraceeValueKind.Number when value.Number is >= int.MinValue and <= uint.MaxValue:
                return unchecked((int)value.Number);
            case TraceeValueKind.Text when OpenFlagsText.TryParse(value.Text!) is int flags:
                return flags;
            default:
                Unknown<int?>("flags", value);
                return null;
        }
    }

    private static string? PathOf(IReadOnlyDictionary<string, TraceeValue> values, string name)
    {
        TraceeValue value = values.GetValueOrDefault(name, TraceeValue.None);
        return value.Kind switch
        {
            TraceeValueKind.None => null,
            TraceeValueKind.Text => value.Text,
            _ => Unknown<string>(name, value),
        };
    }

    private static IReadOnlyList<string>? Argv(TraceeValue value) => value.Kind switch
    {
        TraceeValueKind.None => null,
        TraceeValueKind.Strings => value.Strings,
        _ => Unknown<IReadOnlyList<string>>("argv", value),
    };

    private static T? Unknown<T>(string argument, TraceeValue value)
    {
        ArgumentForms.CountUnknown(EventSources.Tracee, argument, value.Form);
        return default;
    }
}
