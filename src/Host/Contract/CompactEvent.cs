using System.Globalization;
using System.Text;
using Sigs.Plugins;

namespace Sigs.Host.Contract;

/// <summary>
/// One contract event as one short line, as <c>tetra getevents -o compact</c> prints Tetragon's: time, source and
/// name, where (host, or pod and container), the process (pid, executable, argv), then what happened (the file, the
/// rename, the API request). Parts the event lacks are left out; every value is escaped (<see cref="Escaped"/>).
/// </summary>
internal static class CompactEvent
{
    public static string Format(SecurityEvent e) => $"{Time(e.Time)} {Describe(e)}";

    /// <summary>A time as these lines write it: UTC, to the 100 ns tick.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The line without its time: source and name, where, the process, what happened.</summary>
    public static string Describe(SecurityEvent e)
    {
        var line = new StringBuilder();
        line.Append(Escaped(e.Source)).Append(' ').Append(Escaped(e.Name));
        line.Append(' ').Append(e.Kubernetes is { PodName: { } pod } k ? $"pod={Escaped(k.Namespace)}/{Escaped(pod)}" : e.Origin == EventOrigin.Container ? "container" : "host");
        if (e.Container?.Name is { } container)
        {
            line.Append(" container=").Append(Escaped(container));
        }

        if (e.Process is { } p)
        {
            line.Append(CultureInfo.InvariantCulture, $" pid={p.HostPid?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            if ((p.Executable ?? p.Name) is { } image)
            {
                line.Append(' ').Append(Escaped(image));
            }

            if (p.Args is { Count: > 0 } args)
            {
                line.Append(" \"").AppendJoin(' ', args.Select(Escaped)).Append(p.ArgsTruncated == true ? "...\"" : "\"");
            }

            if (p.Interactive == true)
            {
                line.Append(" tty");
            }
        }

        if (e.File is { } file)
        {
            line.Append(file.OldPath is { } old ? $" {Escaped(old)} -> {Escaped(file.NewPath)}" : $" {Escaped(file.Path)}");
            if (file.Flags is int flags)
            {
                line.Append(CultureInfo.InvariantCulture, $" {AccessMode.Name(flags)} flags=0x{flags:x}");
            }
        }

        if (e.Audit is { } audit)
        {
            line.Append(' ').Append(Escaped(audit.Verb)).Append(' ').Append(Escaped(audit.RequestUri)).Append(" by ").Append(Escaped(audit.User));
            if (audit.ResponseCode is int code)
            {
                line.Append(CultureInfo.InvariantCulture, $" -> {code}");
            }
        }

        return line.ToString();
    }

    /// <summary>
    /// A value from an event or a rule, made safe to print among others on one line: control characters (a newline in
    /// an argument), line and paragraph separators, invisible format characters (bidi overrides that reverse how a
    /// path reads, zero-width spaces) and UTF-16 surrogates (characters beyond U+FFFF, or broken ones) become \uXXXX; a backslash and a double quote are escaped, so
    /// a value can neither end the quotes around it nor pass for an escape.
    /// </summary>
    public static string Escaped(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            _ = c switch
            {
                '\\' => escaped.Append("\\\\"),
                '"' => escaped.Append("\\\""),
                _ when NeedsEscape(c) => escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    private static bool NeedsEscape(char c) => c is '\\' or '"' || char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c)
        is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
