using System.Text;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>
/// What the native probe watches: the folders the loaded signatures' file patterns start with, and whether any
/// signature wants opens or renames at all. A folder is the literal part of a pattern up to the last <c>/</c>
/// before its first <c>*</c>; a pattern starting with <c>*</c> watches everything below <c>/</c>.
/// </summary>
internal sealed record WatchPlan(IReadOnlyList<string> Folders, bool Opens, bool Renames)
{
    public static readonly WatchPlan Empty = new([], false, false);

    public bool IsEmpty => Folders.Count == 0 || !(Opens || Renames);

    /// <summary>True when <paramref name="path"/> (UTF-8) is inside one of the folders.</summary>
    public bool Contains(ReadOnlySpan<byte> path)
    {
        foreach (byte[] folder in _folderBytes ??= [.. Folders.Select(Encoding.UTF8.GetBytes)])
        {
            if (path.StartsWith(folder))
            {
                return true;
            }
        }

        return false;
    }

    private byte[][]? _folderBytes;

    public bool Equals(WatchPlan? other) =>
        other is not null && Opens == other.Opens && Renames == other.Renames && Folders.SequenceEqual(other.Folders, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Opens, Renames, Folders.Count, Folders.Count > 0 ? Folders[0] : null);

    public static WatchPlan From(IEnumerable<(IReadOnlyList<EventSelector> Selectors, IReadOnlyList<string> FilePatterns)> signatures)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        bool opens = false;
        bool renames = false;
        foreach ((IReadOnlyList<EventSelector> selectors, IReadOnlyList<string> patterns) in signatures)
        {
            bool wantsOpens = selectors.Any(s => Accepts(s, EventNames.FileOpen));
            bool wantsRenames = selectors.Any(s => Accepts(s, EventNames.FileRename));
            if (!(wantsOpens || wantsRenames) || patterns.Count == 0)
            {
                continue;
            }

            opens |= wantsOpens;
            renames |= wantsRenames;
            foreach (string pattern in patterns)
            {
                if (FolderOf(pattern) is { } folder)
                {
                    folders.Add(folder);
                }
            }
        }

        return new WatchPlan([.. WithoutNested(folders)], opens, renames);
    }

    /// <summary>The folder a pattern lives in, ending in <c>/</c>; null for a relative pattern.</summary>
    public static string? FolderOf(string pattern)
    {
        int star = pattern.IndexOf('*', StringComparison.Ordinal);
        string literal = star < 0 ? pattern : pattern[..star];
        if (star == 0)
        {
            return "/";
        }

        if (!literal.StartsWith('/'))
        {
            return null;
        }

        string folder = literal[..(literal.LastIndexOf('/') + 1)];
        return folder.Split('/').Any(part => part is "." or "..") ? null : folder;
    }

    private static bool Accepts(EventSelector selector, string name) =>
        (selector.Name == name || selector.Name == EventSelector.Any)
        && (selector.Source == EventSources.Native || selector.Source == EventSelector.Any);

    /// <summary>Folders inside another listed folder are watched through it.</summary>
    private static IEnumerable<string> WithoutNested(SortedSet<string> folders)
    {
        string? previous = null;
        foreach (string folder in folders)
        {
            if (previous is not null && folder.StartsWith(previous, StringComparison.Ordinal))
            {
                continue;
            }

            previous = folder;
            yield return folder;
        }
    }
}
