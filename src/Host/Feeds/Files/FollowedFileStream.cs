namespace Sigs.Host.Feeds.Files;

/// <summary>
/// A read-only stream over a file that behaves like <c>tail -F</c>: at the end it waits for more; when the
/// file is truncated (copytruncate rotation) it starts again from the top; when the path names a new file
/// (rename-and-create rotation) it finishes the old file and continues with the new one. Linux only: the open
/// file's current name is read from <c>/proc/self/fd</c>.
/// </summary>
internal sealed class FollowedFileStream(string path, TimeSpan pollInterval, Action<string> onRotation, TimeProvider clock) : Stream
{
    private readonly string _path = Path.GetFullPath(path);
    private FileStream? _current;
    private bool _switchPending;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            _current ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
            int read = await _current.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                return read;
            }

            if (_current.Length < _current.Position)
            {
                onRotation($"{_path} was truncated; reading it from the start");
                _current.Position = 0;
                continue;
            }

            if (_switchPending)
            {
                // The old file was read to its end once more after the new one appeared: nothing written to it
                // before the switch is lost.
                _switchPending = false;
                onRotation($"{_path} was rotated; continuing with the new file");
                await _current.DisposeAsync().ConfigureAwait(false);
                _current = null;
                continue;
            }

            if (IsReplaced(_current))
            {
                _switchPending = true;
                continue;
            }

            await Task.Delay(pollInterval, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Waits until the path exists (it may be between rotation steps) and opens it.</summary>
    private async Task<FileStream> OpenAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, useAsync: true);
            }
            catch (FileNotFoundException)
            {
                await Task.Delay(pollInterval, clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>True when the path now names another file than the one open (renamed or deleted, and recreated).</summary>
    private bool IsReplaced(FileStream open)
    {
        string? openName = new FileInfo($"/proc/self/fd/{open.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
        if (openName is null || !File.Exists(_path))
        {
            return false;
        }

        string pathTarget = File.ResolveLinkTarget(_path, returnFinalTarget: true)?.FullName ?? _path;
        return openName != pathTarget;
    }
}
