using System.Diagnostics;
using Sigs.Plugins;

namespace Sigs.TestPlugins;

/// <summary>Well-behaved: reports every event. The isolation tests check that it keeps all its findings.</summary>
public sealed class WellBehavedSignature() : TestSignature("TEST-WELL-BEHAVED");

/// <summary>Throws on every third event and reports the others.</summary>
public sealed class SometimesThrowsSignature() : TestSignature("TEST-SOMETIMES-THROWS")
{
    private int _seen;

    public override void OnEvent(SecurityEvent securityEvent)
    {
        if (++_seen % 3 == 0)
        {
            throw new InvalidOperationException($"event {_seen} fails on purpose");
        }

        base.OnEvent(securityEvent);
    }
}

/// <summary>Blocks forever on its first event.</summary>
public sealed class BlocksForeverSignature() : TestSignature("TEST-BLOCKS-FOREVER")
{
    private static readonly ManualResetEventSlim Never = new(false);

    public override void OnEvent(SecurityEvent securityEvent) => Never.Wait();
}

/// <summary>Spins the CPU for three seconds on each event (a bounded spin, so the test machine recovers).</summary>
public sealed class SpinsSignature() : TestSignature("TEST-SPINS")
{
    public override void OnEvent(SecurityEvent securityEvent)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(3))
        {
            Thread.SpinWait(1000);
        }
    }
}

/// <summary>Allocates and touches 16 MiB per event, then reports it.</summary>
public sealed class AllocatesHeavilySignature() : TestSignature("TEST-ALLOCATES")
{
    public override void OnEvent(SecurityEvent securityEvent)
    {
        byte[] garbage = new byte[16 * 1024 * 1024];
        for (int i = 0; i < garbage.Length; i += 4096)
        {
            garbage[i] = 1;
        }

        GC.KeepAlive(garbage);
        base.OnEvent(securityEvent);
    }
}
