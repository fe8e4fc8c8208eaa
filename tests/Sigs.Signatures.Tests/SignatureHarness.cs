using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Enrichment;
using Sigs.Host.Loading;
using Sigs.Plugins;

namespace Sigs.Signatures.Tests;

/// <summary>
/// Runs one signature with the host's own semantics: config validated against its schema, selectors through
/// the engine's index, process facts through the process table.
/// </summary>
internal sealed class SignatureHarness<T> : IFindingSink where T : Signature, new()
{
    private readonly List<Finding> _findings = [];
    private readonly DetectionEngine _engine = new();
    private readonly ProcessTable _processes = new(1024);

    public SignatureHarness(string configJson = "{}")
    {
        Signature = new T();
        JsonElement config = JsonDocument.Parse(configJson).RootElement.Clone();
        IReadOnlyList<string> problems = SchemaValidation.Validate(SchemaValidation.Parse(Signature.ConfigSchema ?? "{}"), configJson);
        if (problems.Count > 0)
        {
            throw new ConfigException(string.Join("; ", problems));
        }

        var context = new HostSignatureContext(config, TimeProvider.System, NullLogger.Instance, this);
        Signature.Init(context);
        var runner = new SignatureRunner(Signature, Signature.Metadata, new PluginInfo("test", "test.dll", "0"), NullLogger.Instance);
        context.Attach(runner);
        _engine.Publish(new SignatureIndex([runner]));
        Runner = runner;
    }

    public T Signature { get; }

    public SignatureRunner Runner { get; }

    public IReadOnlyList<Finding> Findings => _findings;

    public SignatureHarness<T> Run(params SecurityEvent[] events)
    {
        foreach (SecurityEvent securityEvent in events)
        {
            _engine.Dispatch(_processes.Enrich(securityEvent));
        }

        return this;
    }

    public SignatureHarness<T> Signal(SignalKind kind, DateTimeOffset time)
    {
        _engine.Signal(new Signal(kind, time));
        return this;
    }

    /// <summary>The findings from running <paramref name="events"/> alone.</summary>
    public static IReadOnlyList<Finding> FindingsFor(params SecurityEvent[] events) => new SignatureHarness<T>().Run(events).Findings;

    public void Publish(Finding finding) => _findings.Add(finding);
}
