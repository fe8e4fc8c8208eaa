namespace Sigs.Host.Rules;

/// <summary>
/// Says when the rule files under some folders changed: a file added, changed (size or time) or removed. A change is
/// reported once it looked the same on two looks in a row, so a file being copied is not read half written.
/// </summary>
internal sealed class RuleFolderWatch(IReadOnlyList<string> paths)
{
    private string? _loaded;
    private string? _pending;

    /// <summary>Takes the files as they are now as loaded.</summary>
    public void Loaded() => _loaded = Fingerprint();

    /// <summary>True once the files changed since they were loaded and have stayed the same since the last look.</summary>
    public bool Changed()
    {
        string now = Fingerprint();
        if (now == _loaded)
        {
            _pending = null;
            return false;
        }

        if (now != _pending)
        {
            _pending = now;
            return false;
        }

        _pending = null;
        _loaded = now;
        return true;
    }

    private string Fingerprint()
    {
        var text = new System.Text.StringBuilder();
        foreach (string path in paths)
        {
            try
            {
                IEnumerable<string> files = File.Exists(path) ? [path]
                    : Directory.Exists(path) ? RuleSet.FilesUnder(path)
                    : [];
                foreach (string file in files.Order(StringComparer.Ordinal).Take(RuleSet.MaxFiles))
                {
                    var info = new FileInfo(file);
                    text.Append(file).Append('\t').Append(info.Length).Append('\t').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                text.Append(path).Append("\tunreadable\n");
            }
        }

        return text.ToString();
    }
}
