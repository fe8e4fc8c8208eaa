using Sigs.Host.Pipeline;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Engine;

/// <summary>The copies of events <c>/events</c> readers get: bounded per reader, never making the engine wait.</summary>
public class EventMirrorTests
{
    [Fact]
    public void AReaderThatDoesNotRead_LosesWhatItHasNoRoomFor_AndAnotherReaderLosesNothing()
    {
        var mirror = new EventMirror();
        using EventMirror.Reader stalled = mirror.TryAdd(_ => true)!;
        using EventMirror.Reader reading = mirror.TryAdd(_ => true)!;
        int received = 0;

        for (int i = 0; i < EventMirror.QueueCapacity + 500; i++)
        {
            mirror.Offer(TestEvents.Make(EventNames.FileOpen));
            while (reading.Events.TryRead(out _))
            {
                received++;
            }
        }

        Assert.Equal(500, stalled.TakeDropped());
        Assert.Equal(0, stalled.TakeDropped());
        Assert.Equal(EventMirror.QueueCapacity + 500, received);
        Assert.Equal(0, reading.TakeDropped());
    }

    [Fact]
    public void AReader_GetsOnlyWhatItsFilterWants_InOrder()
    {
        var mirror = new EventMirror();
        using EventMirror.Reader reader = mirror.TryAdd(e => e.Name == EventNames.KubernetesAudit)!;

        mirror.Offer(TestEvents.Make(EventNames.FileOpen));
        mirror.Offer(Audit("a"));
        mirror.Offer(Audit("b"));

        Assert.True(reader.Events.TryRead(out SecurityEvent? first));
        Assert.True(reader.Events.TryRead(out SecurityEvent? second));
        Assert.False(reader.Events.TryRead(out _));
        Assert.Equal(["a", "b"], [first!.Audit!.RequestingPods![0], second!.Audit!.RequestingPods![0]]);
    }

    [Fact]
    public void Readers_AreCapped_AndALeavingReaderFreesItsPlaceAndGetsNoMore()
    {
        var mirror = new EventMirror();
        var readers = Enumerable.Range(0, EventMirror.MaxReaders).Select(_ => mirror.TryAdd(_ => true)!).ToList();

        Assert.Null(mirror.TryAdd(_ => true));
        readers[0].Dispose();
        mirror.Offer(TestEvents.Make(EventNames.FileOpen));

        Assert.False(readers[0].Events.TryRead(out _));
        Assert.True(readers[1].Events.TryRead(out _));
        Assert.NotNull(mirror.TryAdd(_ => true));
        readers.ForEach(r => r.Dispose());
    }

    private static SecurityEvent Audit(string pod) => TestEvents.Make(EventNames.KubernetesAudit) with { Audit = new AuditInfo { RequestingPods = [pod] } };
}
