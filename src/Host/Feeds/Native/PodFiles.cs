using Sigs.Host.Common;
using Sigs.Host.Enrichment;
using System.Buffers;
using System.Globalization;
using System.Text;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// A pod's name and namespace read from one of its processes, without an API call: the name from
/// <c>HOSTNAME</c> in <c>/proc/PID/environ</c> (the kubelet sets it to the pod name), the namespace from the
/// service-account <c>namespace</c> file inside the process's own root.
/// </summary>
internal static class PodFiles
{
    private static readonly string[] NamespaceFiles =
    [
        "var/run/secrets/kubernetes.io/serviceaccount/namespace",
        "run/secrets/kubernetes.io/serviceaccount/namespace",
    ];

    public static PodNames Read(string procRoot, int pid)
    {
        string dir = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));
        return new PodNames(HostName(ReadEnvironment(Path.Combine(dir, "environ"))), Namespace(Path.Combine(dir, "root")));
    }

    /// <summary>
    /// The first <see cref="MaxEnvironmentBytes"/> of a process's environment: the container runtime puts
    /// <c>HOSTNAME</c> among the first variables, and the rest is the process's to make as large as it likes.
    /// </summary>
    public const int MaxEnvironmentBytes = 32 * 1024;

    private static string? ReadEnvironment(string path)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxEnvironmentBytes);
        try
        {
            int read = ProcFacts.TryReadPrefix(path, buffer.AsSpan(0, MaxEnvironmentBytes));
            return read < 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static string? HostName(string? environ) =>
        environ?.Split('\0').FirstOrDefault(v => v.StartsWith("HOSTNAME=", StringComparison.Ordinal)) is { } entry && entry.Length > "HOSTNAME=".Length
            ? entry["HOSTNAME=".Length..]
            : null;

    /// <summary>Reads the namespace file resolved inside the process's root (its absolute symlinks stay inside it).</summary>
    private static unsafe string? Namespace(string root)
    {
        int rootFd = Linux.OpenAt2(Linux.AtFdCwd, root, Linux.OPath | Linux.ODirectory | Linux.OCloexec, 0);
        if (rootFd < 0)
        {
            return null;
        }

        try
        {
            foreach (string file in NamespaceFiles)
            {
                int fd = Linux.OpenAt2(rootFd, file, Linux.OCloexec, Linux.ResolveInRoot | Linux.ResolveNoMagicLinks);
                if (fd < 0)
                {
                    continue;
                }

                try
                {
                    byte* buffer = stackalloc byte[256];
                    int read = (int)LibC.read(fd, buffer, 256);
                    string text = read > 0 ? Encoding.UTF8.GetString(buffer, read).Trim() : "";
                    return text.Length > 0 && text.Length <= 63 ? text : null;
                }
                finally
                {
                    LibC.close(fd);
                }
            }

            return null;
        }
        finally
        {
            LibC.close(rootFd);
        }
    }
}
