namespace Sigs.Host.Feeds.Tetragon;

/// <summary>
/// The contract's process entity id from Tetragon's <c>exec_id</c> (base64 of node, boot-relative start time
/// and pid: unique per process incarnation on a node).
/// </summary>
internal static class ExecIds
{
    /// <summary>A 64-bit FNV-1a hash of the exec id's characters; null without one.</summary>
    public static ulong? EntityId(string? execId)
    {
        if (string.IsNullOrEmpty(execId))
        {
            return null;
        }

        ulong hash = 14695981039346656037UL;
        foreach (char c in execId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
