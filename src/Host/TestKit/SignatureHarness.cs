using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Loading;
using Sigs.Host.Outputs;
using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Host.TestKit;

/// <summary>
/// The host's one public seam, for <c>Sigs.Plugins.Testing</c>: runs one signature through the pipeline
/// <c>sigs run</c> and <c>sigs replay</c> use (its config validated and its selectors checked as the loader does,
/// process facts filled from exec events, exceptions contained) and decodes JSON lines with the host's decoders.
/// Nothing else of the host is public; its API is not the SDK's and may change with any host version.
/// </summary>
public sealed class SignatureHarness : IDisposable
{
    private readonly DetectionPipeline _pipeline;
    private readonly SignatureRunner _runner;

    /// <param name="signature">The signature, not yet initialized.</param>
    /// <param name="configJson">Its <c>signatures.ID.config</c>, as JSON.</param>
    /// <param name="clock">The wall clock the signature's context gives.</param>
    /// <param name="onFinding">Called with each finding, on the host's writer thread; <see cref="Flush"/> waits for it.</param>
    /// <exception cref="ArgumentException">
    /// The configuration or a selector would be refused by the host (<see cref="ArgumentException.ParamName"/> is
    /// <c>configJson</c>); the message says why. What the signature's <c>Init</c> throws passes through.
    /// </exception>
    public SignatureHarness(Signature signature, string configJson, TimeProvider clock, Action<SignatureMetadata, SecurityEvent, IReadOnlyDictionary<string, object?>> onFinding)
    {
        ArgumentNullException.ThrowIfNull(signature);
        JsonElement config;
        try
        {
            SelectorCheck.ThrowIfAnySelectsNothing(signature.Selectors);

            using JsonDocument document = JsonDocument.Parse(configJson);
            config = PluginLoader.ValidateConfig(signature, signature.Metadata.Id, document.RootElement.Clone());
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException)
        {
            throw new ArgumentException(ex.Message, nameof(configJson), ex);
        }

        _pipeline = new DetectionPipeline(
            new SigsConfig(),
            new PipelineSignatures.Instances([(signature, config)]),
            [new CallbackOutput(onFinding)],
            NullLoggerFactory.Instance,
            clock);
        _runner = _pipeline.Engine.Index.Runners[0];
    }

    /// <summary>Exceptions the signature threw so far (contained by the host).</summary>
    public long Faults => _runner.Faults;

    /// <summary>Events the host delivered to the signature (those its selectors accept).</summary>
    public long EventsDelivered => _runner.Events;

    /// <summary>Runs one event as the host does.</summary>
    public void Process(SecurityEvent securityEvent) => _pipeline.Process(securityEvent);

    /// <summary>Delivers a signal as the host does.</summary>
    public void Signal(Signal signal) => _pipeline.Signal(signal);

    /// <summary>Waits until every finding reported so far has reached the callback.</summary>
    public void Flush() => _pipeline.Findings.Flush();

    /// <summary>One JSON line in any format <c>sigs replay</c> reads: its events, or the reason it cannot be decoded.</summary>
    public static IReadOnlyList<SecurityEvent> DecodeLine(string line, out string? problem)
    {
        DecodedInput decoded = JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(line));
        problem = decoded.Problems.Count > 0 ? decoded.Problems[0] : null;
        return decoded.Events;
    }

    public void Dispose() => _pipeline.Dispose();

    private sealed class CallbackOutput(Action<SignatureMetadata, SecurityEvent, IReadOnlyDictionary<string, object?>> onFinding) : IFindingOutput
    {
        public string Name => "test";

        public void Write(Finding finding, ReadOnlyMemory<byte> json) => onFinding(finding.Signature, finding.Event, finding.Data);

        public void Dispose()
        {
        }
    }
}
