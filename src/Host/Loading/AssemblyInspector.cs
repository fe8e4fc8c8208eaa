using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Sigs.Plugins;

namespace Sigs.Host.Loading;

/// <summary>
/// Reads a candidate plugin's metadata without loading it: is it a .NET assembly, and which Sigs.Plugins
/// version was it built against.
/// </summary>
internal static class AssemblyInspector
{
    public static Version HostSdkVersion { get; } = typeof(Signature).Assembly.GetName().Version!;

    /// <summary>Returns null when the bytes are a plugin this host can load, else the reason it cannot.</summary>
    public static string? FindIncompatibility(byte[] bytes)
    {
        try
        {
            using var pe = new PEReader(new MemoryStream(bytes, writable: false));
            if (!pe.HasMetadata)
            {
                return "not a .NET assembly (a native PE file without metadata)";
            }

            MetadataReader metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly)
            {
                return "not a .NET assembly (a module without an assembly manifest)";
            }

            foreach (AssemblyReferenceHandle handle in metadata.AssemblyReferences)
            {
                AssemblyReference reference = metadata.GetAssemblyReference(handle);
                if (metadata.StringComparer.Equals(reference.Name, typeof(Signature).Assembly.GetName().Name!))
                {
                    return SdkIncompatibility(reference.Version);
                }
            }

            return "does not reference Sigs.Plugins, so it contains no signature";
        }
        catch (BadImageFormatException)
        {
            return "not a .NET assembly (not a valid PE image)";
        }
    }

    private static string? SdkIncompatibility(Version builtAgainst)
    {
        Version host = HostSdkVersion;
        if (builtAgainst.Major != host.Major)
        {
            return $"built against Sigs.Plugins {builtAgainst.ToString(2)}, but this host provides {host.ToString(2)} (a different major version): build it against Sigs.Plugins {host.ToString(2)}";
        }

        return builtAgainst.Minor > host.Minor
            ? $"built against Sigs.Plugins {builtAgainst.ToString(2)}, newer than this host's {host.ToString(2)}: upgrade the host, or build it against Sigs.Plugins {host.ToString(2)}"
            : null;
    }
}
