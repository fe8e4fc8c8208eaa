using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Sigs.Host.Loading;

/// <summary>
/// Every file a plugin's load context may load, hashed when the plugin is checked: all files of a plugin folder,
/// subfolders included (<c>runtimes/RID/lib/...</c>, native libraries), or a lone DLL with its <c>.deps.json</c>.
/// The load context loads nothing else, and nothing whose bytes changed since (<see cref="ReadChecked"/>). The
/// plugin's pin covers them all: <see cref="ContentSha256"/> is the SHA-256 of the <c>sha256sum</c> listing of the
/// files in ordinal order of their paths relative to <see cref="Root"/>.
/// </summary>
internal sealed class PluginFiles
{
    /// <summary>Past this many files a plugin is refused, so a folder cannot make the check unbounded.</summary>
    public const int MaxFiles = 4096;

    /// <summary>How a plugin folder is walked wherever it is (checks, hashes, change detection): every entry, hidden ones and subfolders included.</summary>
    public static readonly EnumerationOptions Everything = new() { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };

    private readonly FrozenDictionary<string, string> _sha256ByPath;

    private readonly bool _checkOwnership;

    private PluginFiles(string root, IReadOnlyList<(string Relative, string Sha256)> files, bool checkOwnership)
    {
        _checkOwnership = checkOwnership;
        Root = root;
        RelativePaths = [.. files.Select(f => f.Relative)];
        _sha256ByPath = files.ToFrozenDictionary(f => Path.Join(root, f.Relative), f => f.Sha256, StringComparer.Ordinal);
        var listing = new StringBuilder();
        foreach ((string relative, string sha256) in files)
        {
            listing.Append(sha256).Append("  ").Append(relative).Append('\n');
        }

        ContentSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }

    /// <summary>The folder the relative paths start from: the plugin folder, or the lone DLL's folder.</summary>
    public string Root { get; }

    /// <summary>The files, relative to <see cref="Root"/>, in ordinal order.</summary>
    public IReadOnlyList<string> RelativePaths { get; }

    /// <summary>What <c>plugins.trusted</c> pins: one hash over every loadable file.</summary>
    public string ContentSha256 { get; }

    /// <summary>
    /// Reads and hashes the files of a plugin entry (a folder or a DLL); throws <see cref="PluginRefusedException"/>
    /// for a link or too many files. <paramref name="checkOwnership"/> false (<c>plugins.allowInsecurePermissions</c>)
    /// leaves out the ownership and permission test when a file is loaded; the hashes are checked either way.
    /// </summary>
    public static PluginFiles Read(string entry, bool checkOwnership)
    {
        string full = Path.GetFullPath(entry);
        if (!Directory.Exists(full))
        {
            string folder = Path.GetDirectoryName(full)!;
            string[] lone = [full, Path.ChangeExtension(full, ".deps.json")];
            return new PluginFiles(folder, [.. lone.Where(File.Exists).Select(path => (Path.GetFileName(path), Hash(path)))], checkOwnership);
        }

        var files = new List<(string, string)>();
        foreach (string path in Directory.EnumerateFileSystemEntries(full, "*", Everything))
        {
            if (new FileInfo(path).LinkTarget is not null)
            {
                throw new PluginRefusedException($"{path} is a symbolic link; a plugin folder may hold only files and folders");
            }

            if (File.Exists(path))
            {
                if (files.Count == MaxFiles)
                {
                    throw new PluginRefusedException($"holds more than {MaxFiles} files");
                }

                files.Add((Path.GetRelativePath(full, path), Hash(path)));
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return new PluginFiles(full, files, checkOwnership);
    }

    /// <summary>The SHA-256 recorded for <paramref name="path"/> when the plugin was checked, if it is one of its files.</summary>
    public string? Sha256Of(string path) => _sha256ByPath.GetValueOrDefault(Path.GetFullPath(path));

    /// <summary>
    /// The bytes of <paramref name="path"/> if it was checked with the plugin, is still safely owned and not writable
    /// by others (unless that test is off), and is unchanged since; otherwise null and the reason.
    /// </summary>
    public byte[]? ReadChecked(string path, out string? problem)
    {
        string full = Path.GetFullPath(path);
        if (Sha256Of(full) is not { } expected)
        {
            problem = $"{full} was not among the plugin's files when it was checked";
            return null;
        }

        problem = _checkOwnership ? FileTrust.Problem([full]) : null;
        if (problem is not null)
        {
            return null;
        }

        byte[] bytes = File.ReadAllBytes(full);
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), expected, StringComparison.Ordinal))
        {
            problem = $"{full} changed since the plugin was checked";
            return null;
        }

        return bytes;
    }

    private static string Hash(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
