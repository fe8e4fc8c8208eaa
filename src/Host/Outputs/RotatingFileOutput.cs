using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>
/// Appends one finding per line to a file, flushed to the OS after each line and to disk every
/// <c>fsyncSeconds</c>. With <c>maxSizeMB</c>, the file is rotated before it would grow past the limit:
/// <c>path</c> becomes <c>path.1</c>, <c>path.1</c> becomes <c>path.2</c>, ..., and <c>path.maxFiles</c> is removed.
/// A finding is never split across files.
/// </summary>
internal sealed class RotatingFileOutput : IFindingOutput
{
    private readonly string _path;
    private readonly long? _maxBytes;
    private readonly int _maxFiles;
    private readonly Lock _gate = new();
    private readonly ITimer? _fsync;
    private FileStream _file;
    private bool _closed;

    private readonly FindingFormat _format;

    public RotatingFileOutput(string path, double? maxSizeMB, int maxFiles, TimeSpan? fsyncInterval, TimeProvider? clock = null, FindingFormat format = FindingFormat.Json)
    {
        _format = format;
        _path = Path.GetFullPath(path);
        _maxBytes = maxSizeMB is double mb ? (long)(mb * 1024 * 1024) : null;
        _maxFiles = maxFiles;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _file = Open();
        _fsync = fsyncInterval is { } interval ? (clock ?? TimeProvider.System).CreateTimer(_ => Sync(), null, interval, interval) : null;
    }

    public string Name => $"file:{_path}";

    public void Write(Finding finding, ReadOnlyMemory<byte> json)
    {
        ReadOnlyMemory<byte> line = FindingLines.Of(_format, finding, json);
        lock (_gate)
        {
            if (_maxBytes is long max && _file.Length > 0 && _file.Length + line.Length + 1 > max)
            {
                Rotate();
            }

            _file.Write(line.Span);
            _file.WriteByte((byte)'\n');
            _file.Flush();
        }
    }

    public void Dispose()
    {
        _fsync?.Dispose();
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _file.Flush(flushToDisk: true);
            _file.Dispose();
        }
    }

    // The timer may still fire once after Dispose (Timer.Dispose does not wait for a running or queued callback).
    private void Sync()
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _file.Flush(flushToDisk: true);
            }
        }
    }

    private void Rotate()
    {
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        File.Delete($"{_path}.{_maxFiles}");
        for (int i = _maxFiles - 1; i >= 1; i--)
        {
            if (File.Exists($"{_path}.{i}"))
            {
                File.Move($"{_path}.{i}", $"{_path}.{i + 1}");
            }
        }

        File.Move(_path, $"{_path}.1");
        _file = Open();
    }

    private FileStream Open() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
}
