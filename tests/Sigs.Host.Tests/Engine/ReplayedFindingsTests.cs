using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Sigs.Host.Engine;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Engine;

/// <summary>A replayed event (processed by an earlier run, replayed to rebuild state) reports nothing, inline or through an isolated runner.</summary>
public class ReplayedFindingsTests
{
    private sealed class Findings : IFindingSink
    {
        public List<Finding> Published { get; } = [];

        public void Publish(Finding finding)
        {
            lock (Published)
            {
                Published.Add(finding);
            }
        }

        public int Count
        {
            get
            {
                lock (Published)
                {
                    return Published.Count;
                }
            }
        }
    }

    /// <summary>Reports every event it sees.</summary>
    private sealed class Reporter() : RecordingSignature("R", new EventSelector(EventNames.FileOpen))
    {
        public override void OnEvent(SecurityEvent securityEvent)
        {
            base.OnEvent(securityEvent);
            Context.Report(securityEvent);
        }
    }

    private static (DetectionEngine Engine, SignatureRunner Runner, Reporter Signature, Findings Findings) Build()
    {
        var findings = new Findings();
        var signature = new Reporter();
        var context = new HostSignatureContext(JsonDocument.Parse("{}").RootElement, TimeProvider.System, NullLogger.Instance, findings);
        signature.Init(context);
        var runner = TestRunners.Of(signature);
        context.Attach(runner);
        var engine = new DetectionEngine();
        engine.Publish(new SignatureIndex([runner]));
        return (engine, runner, signature, findings);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReplayedEvents_ReachTheSignature_ButReportNothing(bool isolated)
    {
        (DetectionEngine engine, SignatureRunner runner, Reporter signature, Findings findings) = Build();
        if (isolated)
        {
            runner.Isolate("test", callInProgress: false);
        }

        engine.Dispatch(TestEvents.Make(EventNames.FileOpen), replayed: true);
        engine.Dispatch(TestEvents.Make(EventNames.FileOpen), replayed: true);
        engine.Dispatch(TestEvents.Make(EventNames.FileOpen));
        await TestSupport.Eventually.TrueAsync(() => signature.Received.Count == 3, "every event at the signature");
        await runner.DrainIsolationAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1, findings.Count);
        Assert.Equal(1, runner.Findings);
    }
}
