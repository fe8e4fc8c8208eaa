using System.Security.Cryptography;

namespace Sigs.Host.Rules;

/// <summary>One rule file as loaded: its path, the SHA-256 of its bytes, and the rules and correlations it gave that run as signatures.</summary>
internal sealed record RuleFile(string Path, string Sha256, IReadOnlyList<Plugins.Signature> Signatures);

/// <summary>
/// The Sigma rules of some folders (<c>.yml</c> and <c>.yaml</c> files, searched recursively, one or several
/// documents each): each rule compiled with the filters that name it (by id or name), and the correlations over
/// them. A file that cannot be read, a document or rule that is refused, a filter naming no loaded rule, a rule id
/// used twice: each is one line in <see cref="Refusals"/> naming the file, the line and the reason, and the other
/// rules load. A rule (or correlation) that a correlation names runs on its own only when one that names it says
/// <c>generate: true</c>; otherwise only through the correlation.
/// </summary>
internal sealed class RuleSet
{
    public const int MaxFiles = 10_000;

    private RuleSet(IReadOnlyList<RuleFile> files, IReadOnlyList<string> refusals, RuleIndex index)
    {
        Files = files;
        Refusals = refusals;
        Index = index;
    }

    /// <summary>Every loaded rule, indexed by the texts it needs (<see cref="RuleIndex"/>).</summary>
    public RuleIndex Index { get; }

    public IReadOnlyList<RuleFile> Files { get; }

    public IReadOnlyList<string> Refusals { get; }

    /// <summary>The detection rules that run as signatures of their own.</summary>
    public IEnumerable<SigmaSignature> Signatures => Files.SelectMany(f => f.Signatures).OfType<SigmaSignature>();

    /// <summary>The correlations that run as signatures.</summary>
    public IEnumerable<SigmaCorrelationSignature> Correlations => Files.SelectMany(f => f.Signatures).OfType<SigmaCorrelationSignature>();

    public static RuleSet Load(IReadOnlyList<string> paths, IReadOnlyDictionary<string, IReadOnlyList<string>> placeholders, CorrelationLimits? limits = null)
    {
        var refusals = new List<string>();
        var rules = new List<(string File, SigmaRule Rule)>();
        var correlations = new List<SigmaCorrelation>();
        var filters = new List<SigmaFilter>();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in RuleFiles(paths, refusals))
        {
            string yaml;
            try
            {
                var info = new FileInfo(file);
                if (info.Length > SigmaDocuments.MaxBytes)
                {
                    refusals.Add($"{file}: larger than {SigmaDocuments.MaxBytes} bytes");
                    continue;
                }

                byte[] bytes = File.ReadAllBytes(file);
                hashes[file] = Convert.ToHexStringLower(SHA256.HashData(bytes));
                yaml = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.DecoderFallbackException)
            {
                refusals.Add($"{file}: cannot be read: {ex.Message}");
                continue;
            }

            try
            {
                foreach (YamlDotNet.RepresentationModel.YamlMappingNode document in SigmaDocuments.Read(yaml, file))
                {
                    try
                    {
                        switch (SigmaReader.Read(document, file))
                        {
                            case SigmaRule rule:
                                rules.Add((file, rule));
                                break;
                            case SigmaFilter filter:
                                filters.Add(filter);
                                break;
                            case SigmaCorrelation correlation:
                                correlations.Add(correlation);
                                break;
                        }
                    }
                    catch (RuleException ex)
                    {
                        refusals.Add(ex.Message);
                    }
                }
            }
            catch (RuleException ex)
            {
                refusals.Add(ex.Message);
            }
        }

        var compiled = new List<(string File, CompiledRule Rule, Plugins.SignatureMetadata Metadata)>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string file, SigmaRule rule) in rules)
        {
            if (ids.TryGetValue(rule.Id, out string? first))
            {
                refusals.Add($"{file}:{rule.Line}: rule id '{rule.Id}' is already used by {first}");
                continue;
            }

            try
            {
                SigmaFilter[] mine = [.. filters.Where(f => f.Rules.Any(rule.Header.IsNamedBy))];
                CompiledRule compiledRule = SigmaCompiler.Compile(rule, mine, placeholders);
                compiled.Add((file, compiledRule, SigmaSignature.MetadataOf(compiledRule)));
                ids[rule.Id] = $"{file}:{rule.Line}";
            }
            catch (RuleException ex)
            {
                refusals.Add(ex.Message);
            }
        }

        foreach (SigmaFilter filter in filters)
        {
            if (!filter.Rules.Any(r => rules.Any(x => x.Rule.Header.IsNamedBy(r))))
            {
                refusals.Add($"{filter.File}:{filter.Line}: filter '{filter.Id}' names no loaded rule ({string.Join(", ", filter.Rules)})");
            }
        }

        var index = new RuleIndex([.. compiled.Select(c => c.Rule)]);
        var correlationCompiler = new CorrelationCompiler([.. compiled.Select(c => c.Rule)], correlations, limits ?? CorrelationLimits.Default);
        var loadedCorrelations = new List<CompiledCorrelation>();
        foreach (SigmaCorrelation correlation in correlations)
        {
            SigmaHeader header = correlation.Header;
            if (ids.TryGetValue(header.Id, out string? first))
            {
                refusals.Add($"{header.File}:{header.Line}: correlation id '{header.Id}' is already used by {first}");
                continue;
            }

            try
            {
                CompiledCorrelation compiledCorrelation = correlationCompiler.Compile(correlation);
                _ = SigmaMetadata.Of(header, "sigma_correlation"); // a level Sigma does not have is refused here, before it silences its rules
                loadedCorrelations.Add(compiledCorrelation);
                ids[header.Id] = $"{header.File}:{header.Line}";
            }
            catch (RuleException ex)
            {
                refusals.Add(ex.Message);
            }
        }

        // Named (by id or name) by a correlation that does not generate, and by none that does: it runs only through
        // the correlation. A correlation turned off in the configuration keeps its rules silent too.
        bool NamedBy(SigmaHeader header, bool generate) => loadedCorrelations.Any(c => c.Correlation.Generate == generate && c.Correlation.Rules.Any(header.IsNamedBy));
        bool Silent(SigmaHeader header) => NamedBy(header, generate: false) && !NamedBy(header, generate: true);

        var byFile = new Dictionary<string, List<Plugins.Signature>>(StringComparer.Ordinal);
        void Add(string file, Plugins.Signature signature) => (byFile.TryGetValue(file, out List<Plugins.Signature>? list) ? list : byFile[file] = []).Add(signature);
        for (int i = 0; i < compiled.Count; i++)
        {
            if (!Silent(compiled[i].Rule.Rule.Header))
            {
                Add(compiled[i].File, new SigmaSignature(index, i, compiled[i].Metadata));
            }
        }

        foreach (CompiledCorrelation correlation in loadedCorrelations.Where(c => !Silent(c.Correlation.Header)))
        {
            Add(correlation.Correlation.Header.File, new SigmaCorrelationSignature(correlation, index, limits ?? CorrelationLimits.Default));
        }

        return new RuleSet([.. byFile.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new RuleFile(f.Key, hashes[f.Key], f.Value))], refusals, index);
    }

    /// <summary>A rule file's name ends in .yml or .yaml.</summary>
    public static bool IsRuleFile(string path) =>
        path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The rule files in a folder and the folders below it (symbolic links not followed, unreadable folders skipped), unordered.</summary>
    public static IEnumerable<string> FilesUnder(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(IsRuleFile);

    /// <summary>The rule files under <paramref name="paths"/> (folders, searched recursively, or files), in path order.</summary>
    private static IEnumerable<string> RuleFiles(IReadOnlyList<string> paths, List<string> refusals)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(Path.GetFullPath(path));
                continue;
            }

            if (!Directory.Exists(path))
            {
                refusals.Add($"{path}: no such rule folder or file");
                continue;
            }

            try
            {
                foreach (string file in FilesUnder(path))
                {
                    if (files.Count == MaxFiles)
                    {
                        refusals.Add($"{path}: more than {MaxFiles} rule files; the rest are not loaded");
                        break;
                    }

                    files.Add(Path.GetFullPath(file));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                refusals.Add($"{path}: cannot be read: {ex.Message}");
            }
        }

        return files;
    }
}
