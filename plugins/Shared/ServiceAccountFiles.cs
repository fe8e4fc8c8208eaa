namespace Sigs.Signatures.Shared;

/// <summary>
/// The pod's service-account token and CA certificate, matched also where a kernel-level sensor reports the
/// path resolved through the projected volume's symlinks (<c>.../serviceaccount/..data/token</c> or
/// <c>.../serviceaccount/..2025_11_02_10_00_00.123456789/token</c>).
/// </summary>
internal sealed class ServiceAccountFiles
{
    public static readonly string[] DefaultPaths =
    [
        "/var/run/secrets/kubernetes.io/serviceaccount/token",
        "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
        "/run/secrets/kubernetes.io/serviceaccount/token",
        "/run/secrets/kubernetes.io/serviceaccount/ca.crt",
    ];

    public static readonly string[] DefaultArgumentPatterns =
    [
        "*/run/secrets/kubernetes.io/serviceaccount/token*",
        "*/run/secrets/kubernetes.io/serviceaccount/ca.crt*",
    ];

    // Each path split once into its folder (ending in '/') and file name (starting with '/').
    private readonly (string Folder, string File)[] _paths;

    public ServiceAccountFiles(IEnumerable<string> paths)
    {
        _paths = [.. paths.Select(path => (path[..(path.LastIndexOf('/') + 1)], path[path.LastIndexOf('/')..]))];
        Folders = [.. _paths.Select(p => p.Folder).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The folders that hold the files; their projected forms live inside them.</summary>
    public IReadOnlyList<string> Folders { get; }

    /// <summary>True when <paramref name="path"/> is one of the files, directly or through a projected-volume link.</summary>
    public bool Matches(string? path)
    {
        if (path is null)
        {
            return false;
        }

        foreach ((string folder, string file) in _paths)
        {
            // path = folder + between + file without its leading '/'; between is empty or ends in '/'.
            int betweenLength = path.Length - folder.Length - file.Length + 1;
            if (betweenLength >= 0 && path.EndsWith(file, StringComparison.Ordinal) && path.StartsWith(folder, StringComparison.Ordinal)
                && IsDirectOrProjected(path.AsSpan(folder.Length, betweenLength)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// What lies between the folder and the file name: nothing (the file itself), or one <c>..SOMETHING/</c>
    /// link folder. <c>../</c> is a parent reference, not a link.
    /// </summary>
    private static bool IsDirectOrProjected(ReadOnlySpan<char> between)
    {
        if (between.IsEmpty)
        {
            return true;
        }

        ReadOnlySpan<char> link = between[..^1];
        return link.Length > 2 && link.StartsWith("..", StringComparison.Ordinal) && !link.Contains('/');
    }
}
