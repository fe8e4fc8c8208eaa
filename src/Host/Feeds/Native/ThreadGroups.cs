using System.Globalization;
using Sigs.Host.Collections;

namespace Sigs.Host.Feeds.Native;

/// <summary>
/// Which process a thread belongs to (its thread group id, the pid the rest of the probe knows), for permission
/// events that name the opening thread. Read from <c>/proc/TID/status</c> once per thread and reused while the
/// caller knows it is still the same thread (a /proc descriptor kept for it still reads). Bounded; one thread only.
/// </summary>
internal sealed class ThreadGroups(int capacity = 4096)
{
    private readonly BoundedMap<int, int> _groupOf = new(capacity);

    /// <summary>The thread group of <paramref name="tid"/>, or null when the thread is gone.</summary>
    public int? GroupOf(int tid, bool sameThread)
    {
        if (sameThread && _groupOf.TryGetValue(tid, out int known))
        {
            return known;
        }

        int? group = ParseTgid(ProcFacts.ReadQuick(tid, "status"));
        if (group is int read)
        {
            _groupOf.Set(tid, read);
        }
        else
        {
            _groupOf.Remove(tid, out _);
        }

        return group;
    }

    /// <summary>The <c>Tgid:</c> line of <c>/proc/TID/status</c>.</summary>
    public static int? ParseTgid(string? status) =>
        ProcFacts.StatusValues(status?.Split('\n'), "Tgid:") is [string tgid, ..]
            && int.TryParse(tgid, NumberStyles.None, CultureInfo.InvariantCulture, out int group) ? group : null;
}
