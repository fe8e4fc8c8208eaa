using System.Text.RegularExpressions;

namespace Sigs.Host.Enrichment;

/// <summary>
/// Reads a container id and pod UID from a process's cgroup lines (<c>/proc/PID/cgroup</c>), in the forms
/// docker, containerd / cri-containerd, cri-o and kubelet write under cgroup v1 and v2.
/// </summary>
internal static partial class CgroupPaths
{
    public static (string? ContainerId, string? PodUid) Parse(IEnumerable<string> lines)
    {
        string? container = null;
        string? pod = null;
        foreach (string line in lines)
        {
            // hierarchy-id:controllers:path
            int second = line.IndexOf(':', line.IndexOf(':', StringComparison.Ordinal) + 1);
            string path = second < 0 ? line : line[(second + 1)..];
            foreach (string segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                Match id = ContainerSegment().Match(segment);
                if (id.Success)
                {
                    container = id.Groups["id"].Value;
                }

                Match uid = PodSegment().Match(segment);
                if (uid.Success)
                {
                    pod = uid.Groups["uid"].Value.Replace('_', '-');
                }
            }
        }

        return (container, pod);
    }

    /// <summary><c>&lt;id&gt;</c>, <c>docker-&lt;id&gt;.scope</c>, <c>cri-containerd-&lt;id&gt;.scope</c>, <c>crio-&lt;id&gt;.scope</c> (64 hex).</summary>
    [GeneratedRegex(@"^(?:(?:docker|cri-containerd|containerd|crio|libpod)-)?(?<id>[0-9a-f]{64})(?:\.scope)?$")]
    private static partial Regex ContainerSegment();

    /// <summary><c>pod&lt;uid&gt;</c> (cgroupfs) or <c>kubepods-&lt;qos&gt;-pod&lt;uid_with_underscores&gt;.slice</c> (systemd).</summary>
    [GeneratedRegex(@"(?:^|-)pod(?<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$")]
    private static partial Regex PodSegment();
}
