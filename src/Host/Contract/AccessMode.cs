using Sigs.Plugins;

namespace Sigs.Host.Contract;

/// <summary>How a file was opened, by name: the open flags' access mode (<c>flags &amp; O_ACCMODE</c>).</summary>
internal static class AccessMode
{
    /// <summary><c>read</c>, <c>write</c> or <c>read-write</c>.</summary>
    public static string Name(int flags) => (flags & OpenFlags.AccessModeMask) switch
    {
        OpenFlags.ReadOnly => "read",
        OpenFlags.WriteOnly => "write",
        _ => "read-write",
    };
}
