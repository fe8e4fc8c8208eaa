using System.Globalization;
using System.Text;
using Sigs.Plugins;

namespace Sigs.Host.Contract;

/// <summary>
/// One contract event as one short line, as <c>tetra getevents -o compact</c> prints Tetragon's: time, source and
/// name, where (host, or pod and container), the process (pid, executable, argv), then what happened (the file, the
/// rename, the API request). Parts the event lacks are left out; control characters are escaped.
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
        line.Append(e.Source).Append(' ').Append(e.Name);
        line.Append(' ').Append(e.Kubernetes is { PodName: { } pod } k ? $"pod={k.Namespace}/{pod}" : e.Origin == EventOrigin.Container ? "container" : "host");
        if (e.Container?.Name is { } container)
        {
            line.Append(" container=").Append(container);
        }

        if (e.Process is { } p)
        {
            line.Append(CultureInfo.InvariantCulture, $" pid={p.HostPid?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            if ((p.Executable ?? p.Name) is { } image)
            {
                line.Append(' ').Append(image);
            }

            if (p.Args is { Count: > 0 } args)
            {
                line.Append(" \"").Append(string.Join(' ', args)).Append(p.ArgsTruncated == true ? "...\"" : "\"");
            }

            if (p.Interactive == true)
            {
                line.Append(" tty");
            }
        }

        if (e.File is { } file)
        {
            line.Append(file.OldPath is { } old ? $" {old} -> {file.NewPath}" : $" {file.Path}");
            if (file.Flags is int flags)
            {
                line.Append(CultureInfo.InvariantCulture, $" {AccessMode.Name(flags)} flags=0x{flags:x}");
            }
        }

        if (e.Audit is { } audit)
        {
            line.Append(' ').Append(audit.Verb).Append(' ').Append(audit.RequestUri).Append(" by ").Append(audit.User);
            if (audit.ResponseCode is int code)
            {
                line.Append(CultureInfo.InvariantCulture, $" -> {code}");
            }
        }

        return Escaped(line.ToString());
    }

    /// <summary>Control characters (a newline in an argument) as \uXXXX, so one event stays one line.</summary>
    public static string Escaped(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            escaped.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return escaped.ToString();
    }
}
