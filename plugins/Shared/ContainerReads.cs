using Sigs.Plugins;

namespace Sigs.Signatures.Shared;

/// <summary>
/// The shape shared by the Elastic credential-read rules: an interactive process in a container, reading a file
/// directly or running a reader program (cat, head, ...) with the file in its arguments.
/// </summary>
internal static class ContainerReads
{
    public static readonly string[] DefaultReaders = ["cat", "head", "tail", "more", "less", "sed", "awk"];

    private static readonly string[] ReaderFolders = ["/bin/", "/usr/bin/", "/usr/local/bin/"];

    /// <summary>Interactive (known to have a terminal) and in a container (container id known, non-empty).</summary>
    public static bool IsInteractiveInContainer(SecurityEvent securityEvent) =>
        securityEvent.Process?.Interactive == true && !string.IsNullOrEmpty(securityEvent.Container?.Id);

    /// <summary>
    /// The process is a reader: its name is one of <paramref name="readers"/>, or an argv element equals a reader
    /// name or its /bin/, /usr/bin/ or /usr/local/bin/ path.
    /// </summary>
    public static bool IsReader(ProcessInfo process, string[] readers)
    {
        if (process.Name is { } name && Array.IndexOf(readers, name) >= 0)
        {
            return true;
        }

        if (process.Args is not { } args)
        {
            return false;
        }

        for (int i = 0; i < args.Count; i++)
        {
            if (IsReaderElement(args[i], readers))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsReaderElement(string element, string[] readers)
    {
        ReadOnlySpan<char> value = element;
        foreach (string folder in ReaderFolders)
        {
            if (value.StartsWith(folder, StringComparison.Ordinal))
            {
                value = value[folder.Length..];
                break;
            }
        }

        foreach (string reader in readers)
        {
            if (value.SequenceEqual(reader))
            {
                return true;
            }
        }

        return false;
    }

}
