using Microsoft.Extensions.Logging;
using Sigs.Host.Engine;

namespace Sigs.Host.Loading;

/// <summary>A change of plugins: the index to publish, and the plugins it retires.</summary>
internal sealed record PluginSwap(SignatureIndex Index, IReadOnlyList<LoadedPlugin> Retired, IReadOnlyList<string> Added);

/// <summary>
/// Keeps the plugin folder and the loaded plugins in step. Each <see cref="Rescan"/> looks at the folder; an entry
/// that is new or changed is loaded only once it has looked the same on two scans in a row (copies are not
/// atomic), a removed one is retired. A plugin that fails to load keeps its running predecessor, and is tried
/// again when its files change. Unchanged plugins keep their instances (and their state).
/// </summary>
/// <remarks>Not thread-safe: one caller (the watch loop) scans.</remarks>
internal sealed partial class PluginManager(string folder, PluginLoader loader, ILogger logger) : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _pending = new(StringComparer.Ordinal);
    private readonly List<string> _refusals = [];
    private readonly HashSet<(string Id, string File)> _shadowed = [];

    public string Folder { get; } = folder;

    /// <summary>The loader, for its refusal counts.</summary>
    public PluginLoader Loader => loader;

    /// <summary>The plugins of the current generation.</summary>
    public IReadOnlyList<LoadedPlugin> Plugins => [.. _entries.Values.Select(e => e.Plugin).OfType<LoadedPlugin>()];

    /// <summary>Why the last scan could not look at the folder (missing, unsafe, unreadable); null when it could.</summary>
    public string? FolderProblem { get; private set; }

    /// <summary>One line per plugin or signature refused by the latest scan, as logged.</summary>
    public IReadOnlyList<string> Refusals => _refusals;

    /// <summary>The most signatures any generation has had since start; fewer now means some were lost.</summary>
    public int PeakSignatures { get; private set; }

    /// <summary>Loads everything in the folder as it is now.</summary>
    public SignatureIndex LoadAll()
    {
        if (!Directory.Exists(Folder))
        {
            throw new DirectoryNotFoundException($"plugin folder '{Folder}' does not exist");
        }

        if (loader.FolderProblem(Folder) is { } unsafeFolder)
        {
            throw new Common.ConfigException($"plugin folder refused: {unsafeFolder}");
        }

        Rescan(requireStableFiles: false);
        loader.WarnAboutUnknownSettings();
        return BuildIndex();
    }

    /// <summary>
    /// Looks at the folder; returns the swap to apply, or null when nothing changed. A folder that is missing,
    /// unreadable or no longer safe is not scanned: the plugins loaded stay, the problem is logged once per change
    /// and kept in <see cref="FolderProblem"/>.
    /// </summary>
    public PluginSwap? Rescan(bool requireStableFiles = true)
    {
        string? problem;
        try
        {
            problem = !Directory.Exists(Folder) ? $"plugin folder '{Folder}' does not exist" : loader.FolderProblem(Folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"plugin folder '{Folder}' cannot be checked: {ex.Message}";
        }

        if (problem != FolderProblem)
        {
            if (problem is null)
            {
                LogFolderUsable(logger, Folder);
            }
            else
            {
                LogFolderProblem(logger, problem);
            }

            FolderProblem = problem;
        }

        return problem is null ? Scan(requireStableFiles) : null;
    }

    private PluginSwap? Scan(bool requireStableFiles)
    {
        _refusals.Clear();
        var retired = new List<LoadedPlugin>();
        var added = new List<string>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (string entry in PluginLoader.Entries(Folder))
        {
            present.Add(entry);
            string fingerprint = Fingerprint(entry);
            Entry? current = _entries.GetValueOrDefault(entry);
            if (current?.Fingerprint == fingerprint)
            {
                _pending.Remove(entry);
                continue;
            }

            if (requireStableFiles && _pending.GetValueOrDefault(entry) != fingerprint)
            {
                _pending[entry] = fingerprint; // still being written, or just arrived: look again next scan
                continue;
            }

            _pending.Remove(entry);
            LoadedPlugin? loaded = loader.LoadEntry(entry, Folder, TakenIds(except: current?.Plugin), _refusals);
            if (loaded is null)
            {
                // Refused (already logged): the running version, if any, stays until the files change again.
                _entries[entry] = new Entry(fingerprint, current?.Plugin);
                continue;
            }

            if (current?.Plugin is { } replaced)
            {
                retired.Add(replaced);
            }

            _entries[entry] = new Entry(fingerprint, loaded);
            added.Add(loaded.Info.Name);
        }

        foreach (string gone in _entries.Keys.Where(entry => !present.Contains(entry)).ToList())
        {
            if (_entries[gone].Plugin is { } removed)
            {
                retired.Add(removed);
                LogRemoved(logger, removed.Info.AssemblyPath);
            }

            _entries.Remove(gone);
            _pending.Remove(gone);
        }

        return retired.Count == 0 && added.Count == 0 ? null : new PluginSwap(BuildIndex(), retired, added);
    }

    /// <summary>Runners of signatures that are not plugins (Sigma rules): every index has them too.</summary>
    public IReadOnlyList<SignatureRunner> OtherRunners { get; set; } = [];

    public SignatureIndex BuildIndex()
    {
        SignatureRunner[] plugins = [.. Plugins.SelectMany(p => p.Runners)];
        Dictionary<string, SignatureRunner> byId = plugins.DistinctBy(r => r.Metadata.Id).ToDictionary(r => r.Metadata.Id, StringComparer.Ordinal);
        var others = new List<SignatureRunner>();
        foreach (SignatureRunner other in OtherRunners)
        {
            if (!byId.TryGetValue(other.Metadata.Id, out SignatureRunner? plugin))
            {
                others.Add(other);
            }
            else if (_shadowed.Add((other.Metadata.Id, other.Plugin.AssemblyPath)))
            {
                LogShadowedRule(logger, other.Metadata.Id, other.Plugin.AssemblyPath, plugin.Plugin.AssemblyPath); // once per id and file
            }
        }

        var index = new SignatureIndex([.. plugins, .. others]);
        PeakSignatures = Math.Max(PeakSignatures, index.Runners.Count);
        return index;
    }

    public void Dispose()
    {
        foreach (LoadedPlugin plugin in Plugins)
        {
            plugin.Dispose();
        }

        _entries.Clear();
    }

    private Dictionary<string, string> TakenIds(LoadedPlugin? except) =>
        Plugins.Where(p => p != except).SelectMany(p => p.Runners).ToDictionary(r => r.Metadata.Id, r => r.Plugin.AssemblyPath, StringComparer.Ordinal);

    /// <summary>What the entry's files look like now, subfolders included: names, sizes and modification times.</summary>
    private static string Fingerprint(string entry)
    {
        IEnumerable<string> files = Directory.Exists(entry)
            ? Directory.EnumerateFiles(entry, "*", PluginFiles.Everything).Order(StringComparer.Ordinal)
            : [entry];
        return string.Join('|', files.Select(file =>
        {
            var info = new FileInfo(file);
            return info.Exists ? $"{file}:{info.Length}:{info.LastWriteTimeUtc.Ticks}" : $"{file}:gone";
        }));
    }

    private sealed record Entry(string Fingerprint, LoadedPlugin? Plugin);
}
