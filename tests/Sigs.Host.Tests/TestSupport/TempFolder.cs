namespace Sigs.Host.Tests.TestSupport;

/// <summary>A fresh folder under /tmp, removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("sigs-test-").FullName;
    }

    public string Path { get; }

    public string File(string name, string contents)
    {
        string path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, contents);
        return path;
    }

    /// <summary>A new folder of its own inside this one (for tests whose samples run on several threads at once).</summary>
    public string NewFolder() => Directory.CreateDirectory(System.IO.Path.Combine(Path, Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Copies a built plugin folder (shipped or test) into this folder under its own name.</summary>
    public void AddPlugin(string builtFolder) => CopyPlugin(builtFolder, Path);

    /// <summary>Copies a built plugin folder into <paramref name="pluginsFolder"/>.</summary>
    public static void CopyPlugin(string builtFolder, string pluginsFolder)
    {
        string target = System.IO.Path.Combine(pluginsFolder, System.IO.Path.GetFileName(builtFolder));
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(builtFolder))
        {
            System.IO.File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
