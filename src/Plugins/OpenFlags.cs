namespace Sigs.Plugins;

/// <summary>Linux <c>open(2)</c> flag values and helpers.</summary>
public static class OpenFlags
{
    /// <summary>Mask of the access mode bits.</summary>
    public const int AccessModeMask = 3;

    /// <summary>Open for reading only.</summary>
    public const int ReadOnly = 0;

    /// <summary>Open for writing only.</summary>
    public const int WriteOnly = 1;

    /// <summary>Open for reading and writing.</summary>
    public const int ReadWrite = 2;

    /// <summary>True when the access mode allows reading (<c>O_RDONLY</c> or <c>O_RDWR</c>).</summary>
    public static bool AllowsRead(int flags) => (flags & AccessModeMask) is ReadOnly or ReadWrite;
}
