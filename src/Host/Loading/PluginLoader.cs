using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Plugins;

namespace Sigs.Host.Loading;

/// <summary>
/// Loads every plugin in a folder into its own collectible context and initializes its signatures. A plugin or
/// signature that cannot be used is refused with one log line naming the file and the reason; the rest load.
/// </summary>
/// <remarks>
/// A plugin is a DLL directly in the folder, or a subfolder holding the plugin's DLL (named like the folder, or
/// the one DLL with a <c>.deps.json</c>) and its private dependencies. Plugins load in name order, so which of
/// two duplicate signature ids wins is stable.
/// </remarks>
internal sealed partial class PluginLoader(
    IReadOnlyDictionary<string, SignatureSettings> settings,
    IFindingSink sink,
    TimeProvider clock,
    ILoggerFactory loggerFactory,
    PluginTrust? trust = null,
    RunnerPolicy? runnerPolicy = null,
    SignatureSelection? selection = null)
{
    private readonly PluginTrust _trust = trust ?? PluginTrust.Default;
    private static readonly JsonElement EmptyConfig = JsonDocument.Parse("{}").RootElement.Clone();
    private readonly ILogger _logger = loggerFactory.CreateLogger(LogCategories.Loading);
    private readonly RecordedCount _refusedPlugins = new();
    private readonly RecordedCount _refusedDependencies = new();

    /// <summary>Plugins (or signatures in them) refused so far, each with its log line.</summary>
    private SigsInstruments? _instruments;

    /// <summary>Records refusals on the host's instruments from now on; runners made from now on record theirs.</summary>
    public void Attach(SigsInstruments instruments)
    {
        _instruments = instruments;
        _refusedPlugins.Attach(instruments, instruments.PluginRefusals, SigsInstruments.Tag("kind", "plugin"));
        _refusedDependencies.Attach(instruments, instruments.PluginRefusals, SigsInstruments.Tag("kind", "dependency"));
    }

    public long RefusedPlugins => _refusedPlugins.Value;

    /// <summary>Which signatures run; rules are selected by the same.</summary>
    public SignatureSelection Selection { get; } = selection ?? new SignatureSelection(new SelectConfig(), settings);

    /// <summary>The ids under <c>signatures:</c> that the latest full load found no signature for.</summary>
    public IReadOnlyList<string> UnknownSettings { get; private set; } = [];

    /// <summary>Dependencies a loaded plugin asked for that failed the trust checks.</summary>
    public long RefusedDependencies => _refusedDependencies.Value;

    /// <summary>The plugin entries of a folder, in load order: subfolders and DLLs directly in it.</summary>
    public static IEnumerable<string> Entries(string folder) =>
        Directory.EnumerateFileSystemEntries(folder)
            .Where(entry => Directory.Exists(entry) || entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Loads one plugin entry (a folder or a DLL in <paramref name="pluginsFolder"/>). Its signature ids are added
    /// to <paramref name="ids"/>, which holds the ids already taken; a refusal is logged and added to <paramref name="refusals"/>.
    /// </summary>
    public LoadedPlugin? LoadEntry(string entry, string pluginsFolder, Dictionary<string, string> ids, List<string> refusals)
    {
        if (!_trust.AllowInsecurePermissions && FileTrust.Problem(FileTrust.PathsToCheck(entry, pluginsFolder)) is { } untrusted)
        {
            Refuse(refusals, entry, untrusted);
            return null;
        }

        bool isFolder = Directory.Exists(entry);
        string name = isFolder ? Path.GetFileName(Path.TrimEndingDirectorySeparator(entry)) : Path.GetFileNameWithoutExtension(entry); // a folder's dots are its name's
        string? problem = null;
        string? mainPath = isFolder ? FindMainAssembly(entry, out problem) : entry;
        if (mainPath is null)
        {
            Refuse(refusals, entry, problem!);
            return null;
        }

        // The main DLL is loaded as its dependencies are: only the bytes hashed with the plugin's files.
        byte[]? bytes;
        PluginFiles files;
        try
        {
            files = PluginFiles.Read(entry, checkOwnership: !_trust.AllowInsecurePermissions);
            bytes = files.ReadChecked(mainPath, out problem);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PluginRefusedException)
        {
            Refuse(refusals, entry, ex is PluginRefusedException ? ex.Message : $"cannot be read: {ex.Message}");
            return null;
        }

        if (bytes is null)
        {
            Refuse(refusals, mainPath, problem!);
            return null;
        }

        var info = new PluginInfo(name, mainPath, files.Sha256Of(mainPath)!, files.ContentSha256, files.RelativePaths) { LoadedAt = clock.GetUtcNow() };

        if (_trust.PinningProblem(info) is { } unpinned)
        {
            Refuse(refusals, mainPath, unpinned);
            return null;
        }

        if (AssemblyInspector.FindIncompatibility(bytes) is { } incompatibility)
        {
            Refuse(refusals, mainPath, incompatibility);
            return null;
        }

        var context = new PluginLoadContext(name, mainPath, files, reason =>
        {
            _refusedDependencies.Add();
            LogDependencyRefused(_logger, mainPath, reason);
        });
        List<SignatureRunner> runners;
        try
        {
            Assembly assembly = context.LoadFromStream(new MemoryStream(bytes));
            Type[] types = SignatureTypes(assembly);
            if (types.Length == 0)
            {
                throw new PluginRefusedException("contains no signature (a public, non-abstract Signature subclass with a parameterless constructor)");
            }

            runners = [.. types.Select(type => CreateRunner(type, info, ids, refusals)).OfType<SignatureRunner>()];
        }
        catch (Exception ex) when (ex is PluginRefusedException or BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            context.Unload();
            Refuse(refusals, mainPath, ex.Message);
            return null;
        }

        if (runners.Count == 0)
        {
            context.Unload();
            LogNoSignatures(_logger, mainPath);
            return null;
        }

        LogLoaded(_logger, mainPath, info.Sha256, string.Join(", ", runners.Select(r => r.Metadata.Id)));
        return new LoadedPlugin(info, context, runners);
    }

    /// <summary>Why <paramref name="pluginsFolder"/> itself cannot be trusted (see <see cref="FileTrust.FolderChainProblem"/>), or null.</summary>
    public string? FolderProblem(string pluginsFolder) =>
        _trust.AllowInsecurePermissions ? null : FileTrust.FolderChainProblem(pluginsFolder);

    /// <summary>Notes and logs the <c>signatures:</c> ids no plugin or rule found so far has (every one found was seen, whether it runs or not).</summary>
    public void WarnAboutUnknownSettings()
    {
        UnknownSettings = [.. settings.Keys.Where(id => !Selection.Saw(id))];
        foreach (string id in UnknownSettings)
        {
            LogUnknownSignatureSetting(_logger, id);
        }
    }

    private static string? FindMainAssembly(string folder, out string? problem)
    {
        problem = null;
        string named = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
        if (File.Exists(named))
        {
            return named;
        }

        string[] withDeps = [.. Directory.EnumerateFiles(folder, "*.dll").Where(dll => File.Exists(Path.ChangeExtension(dll, ".deps.json")))];
        if (withDeps.Length == 1)
        {
            return withDeps[0];
        }

        problem = withDeps.Length == 0
            ? $"no plugin assembly: expected {Path.GetFileName(named)} or one DLL with a .deps.json"
            : $"ambiguous plugin assembly: {withDeps.Length} DLLs have a .deps.json; name one like the folder";
        return null;
    }

    private static Type[] SignatureTypes(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            string reason = ex.LoaderExceptions.FirstOrDefault(e => e is not null)?.Message ?? ex.Message;
            throw new PluginRefusedException($"types cannot be loaded: {reason}");
        }

        return [.. types
            .Where(t => t.IsPublic && !t.IsAbstract && typeof(Signature).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];
    }

    private SignatureRunner? CreateRunner(Type type, PluginInfo plugin, Dictionary<string, string> ids, List<string> refusals)
    {
        string label = type.FullName ?? type.Name;
        Signature? signature = null;
        try
        {
            signature = (Signature)Activator.CreateInstance(type)!;
            SignatureMetadata metadata = signature.Metadata ?? throw new PluginRefusedException("Metadata is null");
            label = metadata.Id;
            Selection.See(metadata); // found: its settings and the values naming it are not typos, whatever happens next

            CheckDeclaration(signature, metadata);
            if (ids.TryGetValue(metadata.Id, out string? owner))
            {
                throw new PluginRefusedException($"duplicate signature id {metadata.Id}: already loaded from {owner}; give one of them another id");
            }

            SignatureSettings? configured = settings.GetValueOrDefault(metadata.Id);
            if (Selection.WhyNot(metadata) is { } why)
            {
                ids[metadata.Id] = plugin.AssemblyPath;
                LogDisabled(_logger, metadata.Id, plugin.AssemblyPath, why);
                signature.Dispose();
                return null;
            }

            SignatureRunner runner = Initialize(signature, ValidateConfig(signature, metadata.Id, configured?.Config), plugin);
            ids[metadata.Id] = plugin.AssemblyPath;
            return runner;
        }
        catch (Exception ex)
        {
            Exception cause = ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;
            string reason = cause is PluginRefusedException
                ? cause.Message
                : $"{(signature is null ? "constructor" : "Init")} threw {cause.GetType().Name}: {cause.Message}";
            DisposeQuietly(signature);
            refusals.Add($"signature {label} in {plugin.AssemblyPath}: {reason}");
            LogSignatureRefused(_logger, label, plugin.AssemblyPath, reason);
            return null;
        }
    }

    /// <summary>
    /// Initializes an accepted signature with its validated configuration and wraps it in a runner that reports
    /// findings to the sink. Init's exceptions are the caller's to contain.
    /// </summary>
    public SignatureRunner Initialize(Signature signature, JsonElement config, PluginInfo plugin)
    {
        var context = new HostSignatureContext(config, clock, loggerFactory.CreateLogger(LogCategories.Signature(signature.Metadata.Id)), sink);
        signature.Init(context);
        var runner = new SignatureRunner(signature, signature.Metadata, plugin, _logger, runnerPolicy, clock);
        if (_instruments is { } instruments)
        {
            runner.Attach(instruments);
        }

        context.Attach(runner);
        return runner;
    }

    private static void CheckDeclaration(Signature signature, SignatureMetadata metadata)
    {
        if (string.IsNullOrWhiteSpace(metadata.Id) || string.IsNullOrWhiteSpace(metadata.Name) || string.IsNullOrWhiteSpace(metadata.Version))
        {
            throw new PluginRefusedException("metadata needs a non-empty Id, Name and Version: set them in Metadata");
        }

        IReadOnlyList<EventSelector>? selectors = signature.Selectors;
        if (selectors is null || selectors.Count == 0 || selectors.Any(s => s is null || string.IsNullOrEmpty(s.Name)))
        {
            throw new PluginRefusedException("declares no event selectors (or one without a name): return at least one EventSelector, such as new(EventNames.FileOpen), from Selectors");
        }

        SelectorCheck.ThrowIfAnySelectsNothing(selectors);
    }

    /// <summary>
    /// The configuration the signature gets: the configured value (or an empty object), validated against the
    /// signature's schema. A signature without a schema takes no configuration.
    /// </summary>
    /// <exception cref="InvalidOperationException">The configuration cannot be used; the message says why.</exception>
    internal static JsonElement ValidateConfig(Signature signature, string id, JsonElement? configured)
    {
        JsonElement config = configured is { ValueKind: not JsonValueKind.Null } value ? value : EmptyConfig;
        string? schemaText = signature.ConfigSchema;
        if (schemaText is null)
        {
            return config.ValueKind == JsonValueKind.Object && !config.EnumerateObject().Any()
                ? config
                : throw new PluginRefusedException($"signatures.{id}.config is set, but the signature takes no configuration: remove it, or give the signature a ConfigSchema");
        }

        NJsonSchema.JsonSchema schema;
        try
        {
            schema = SchemaValidation.Parse(schemaText);
        }
        catch (Exception ex) when (ex is JsonException or Newtonsoft.Json.JsonException or InvalidOperationException)
        {
            throw new PluginRefusedException($"ConfigSchema is not a valid JSON Schema: {ex.Message}");
        }

        IReadOnlyList<string> problems = SchemaValidation.Validate(schema, config.GetRawText());
        return problems.Count == 0
            ? config
            : throw new PluginRefusedException($"signatures.{id}.config does not match the signature's schema: {string.Join("; ", problems)}");
    }

    private static void DisposeQuietly(Signature? signature)
    {
        try
        {
            signature?.Dispose();
        }
        catch (Exception)
        {
            // A refused signature's Dispose may fail too; it is already refused and logged.
        }
    }

    private void Refuse(List<string> refusals, string file, string reason)
    {
        _refusedPlugins.Add();
        refusals.Add($"plugin {file}: {reason}");
        LogPluginRefused(_logger, file, reason);
    }
}
