using Sigs.Host.Engine;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Engine;

public class DetectionEngineTests
{
    private static readonly PluginInfo Plugin = TestRunners.Plugin;

    private static (DetectionEngine Engine, CapturingLoggerFactory Logs) Build(params Signature[] signatures)
    {
        var logs = new CapturingLoggerFactory();
        var runners = signatures.Select(s => new SignatureRunner(s, s.Metadata, Plugin, logs.CreateLogger("engine"))).ToList();
        var engine = new DetectionEngine();
        engine.Publish(new SignatureIndex(runners));
        return (engine, logs);
    }

    [Fact]
    public void Dispatch_Selectors_DeliverOnlyMatchingNameSourceAndOrigin()
    {
        var byName = new RecordingSignature("A", new EventSelector(EventNames.FileOpen));
        var byContainer = new RecordingSignature("B", new EventSelector(EventNames.FileOpen, Origin: "container"));
        var byFalco = new RecordingSignature("C", new EventSelector(EventNames.FileOpen, Source: EventSources.Falco));
        var everything = new RecordingSignature("D", new EventSelector(EventSelector.Any));
        (DetectionEngine engine, _) = Build(byName, byContainer, byFalco, everything);

        engine.Dispatch(TestEvents.Make(EventNames.FileOpen));
        engine.Dispatch(TestEvents.Make(EventNames.FileOpen, EventSources.Falco, EventOrigin.Container));
        engine.Dispatch(TestEvents.Make(EventNames.ProcessExec));
        engine.Dispatch(TestEvents.Make("never_selected_by_name"));

        Assert.Equal(2, byName.Received.Count);
        Assert.Equal(EventOrigin.Container, Assert.Single(byContainer.Received).Origin);
        Assert.Equal(EventSources.Falco, Assert.Single(byFalco.Received).Source);
        Assert.Equal(4, everything.Received.Count);
    }

    [Fact]
    public void Dispatch_OverlappingSelectors_DeliverOnce()
    {
        var signature = new RecordingSignature("A",
            new EventSelector(EventNames.FileOpen),
            new EventSelector(EventNames.FileOpen, Source: EventSources.Tracee),
            new EventSelector(EventSelector.Any, Origin: "host"));
        (DetectionEngine engine, _) = Build(signature);

        engine.Dispatch(TestEvents.Make(EventNames.FileOpen));

        Assert.Single(signature.Received);
    }

    [Fact]
    public void Dispatch_ThrowingSignature_IsCountedAndLoggedWhileOthersSeeEveryEvent()
    {
        var thrower = new ThrowingSignature("BAD", new EventSelector(EventNames.ProcessExec));
        var healthy = new RecordingSignature("GOOD", new EventSelector(EventNames.ProcessExec));
        (DetectionEngine engine, CapturingLoggerFactory logs) = Build(thrower, healthy);

        for (int i = 0; i < 5; i++)
        {
            engine.Dispatch(TestEvents.Make(EventNames.ProcessExec));
        }

        engine.Signal(new Signal(SignalKind.EndOfInput, DateTimeOffset.UnixEpoch));

        Assert.Equal(5, healthy.Received.Count);
        Assert.Single(healthy.Signals);
        SignatureRunner badRunner = engine.Index.Runners[0];
        Assert.Equal(6, badRunner.Faults);
        Assert.Equal(5, badRunner.Events);
        Assert.Equal(0, engine.Index.Runners[1].Faults);
        Assert.Equal(5, logs.LinesContaining("Signature BAD threw from OnEvent (sched_process_exec): InvalidOperationException: boom").Count);
    }

    [Fact]
    public void Dispatch_EventNoSignatureSelects_AllocatesNothing()
    {
        (DetectionEngine engine, _) = Build(
            new RecordingSignature("A", new EventSelector(EventNames.FileOpen, Origin: "container")),
            new RecordingSignature("B", new EventSelector(EventNames.KubernetesAudit, Source: EventSources.KubernetesAudit)));
        SecurityEvent unselectedName = TestEvents.Make("sched_process_fork");
        SecurityEvent wrongOrigin = TestEvents.Make(EventNames.FileOpen);
        SecurityEvent wrongSource = TestEvents.Make(EventNames.KubernetesAudit, EventSources.Falco);
        engine.Dispatch(unselectedName);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            engine.Dispatch(unselectedName);
            engine.Dispatch(wrongOrigin);
            engine.Dispatch(wrongSource);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
