using System.Diagnostics;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>A small tmpfs of its own (root only), to fill up or turn read-only; unmounted and removed on dispose.</summary>
internal sealed class Tmpfs : IDisposable
{
    public Tmpfs(string size)
    {
        Path = Directory.CreateTempSubdirectory("sigs-tmpfs-").FullName;
        Mount("-t", "tmpfs", "-o", $"size={size}", "sigs-test", Path);
    }

    public string Path { get; }

    public void ReadOnly(bool readOnly) => Mount("-o", readOnly ? "remount,ro" : "remount,rw", Path);

    /// <summary>Fills what is left with one file, so the next write fails with "no space left".</summary>
    public void Fill()
    {
        using var file = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create);
        byte[] block = new byte[4096];
        try
        {
            while (true)
            {
                file.Write(block);
                file.Flush();
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static void Mount(params string[] args) => Run("mount", args);

    private static void Run(string file, params string[] args)
    {
        using Process process = Process.Start(Command.StartInfo(file, args))!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {process.StandardError.ReadToEnd()}");
        }
    }
}
