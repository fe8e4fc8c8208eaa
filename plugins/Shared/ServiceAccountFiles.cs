namespace Sigs.Signatures.Shared;

/// <summary>
/// The pod's service-account token and CA certificate, matched also where a kernel-level sensor reports the
/// path resolved through the projected volume's symlinks (<c>.../serviceaccount/..data/token</c> or
/// <c>.../serviceaccount/..2025_11_02_10_00_00.123456789/token</c>).
/// </summary>
internal static class ServiceAccountFiles
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

    /// <summary>True when <paramref name="path"/> is one of <paramref name="paths"/>, directly or through a projected-volume link.</summary>
    public static bool Matches(string? path, string[] paths)
    {
        if (path is null)
        {
            return false;
        }

        foreach (string candidate in paths)
        {
            if (path == candidate || IsProjectedForm(path, candidate))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>DIR/..SOMETHING/FILE</c> is the projected form of <c>DIR/FILE</c>; <c>DIR/../FILE</c> is not.</summary>
    private static bool IsProjectedForm(ReadOnlySpan<char> path, ReadOnlySpan<char> candidate)
    {
        int slash = candidate.LastIndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        ReadOnlySpan<char> folder = candidate[..(slash + 1)];
        ReadOnlySpan<char> file = candidate[slash..];
        if (path.Length <= candidate.Length + 3 || !path.StartsWith(folder, StringComparison.Ordinal) || !path.EndsWith(file, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> link = path[folder.Length..^file.Length];
        return link.Length > 2 && link.StartsWith("..", StringComparison.Ordinal) && !link.Contains('/');
    }
}
