namespace Sigs.Host.Outputs;

/// <summary>Writes one finding per line to a stream (stdout or an appended file), flushed after each line.</summary>
internal sealed class JsonLinesOutput(string name, Stream stream, bool ownsStream) : IFindingOutput
{
    public string Name { get; } = name;

    public static JsonLinesOutput StandardOutput() => new("stdout", Console.OpenStandardOutput(), ownsStream: false);

    public static JsonLinesOutput File(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
        return new JsonLinesOutput($"file:{path}", stream, ownsStream: true);
    }

    public void Write(ReadOnlySpan<byte> findingJson)
    {
        stream.Write(findingJson);
        stream.WriteByte((byte)'\n');
        stream.Flush();
    }

    public void Dispose()
    {
        if (ownsStream)
        {
            stream.Dispose();
        }
    }
}
