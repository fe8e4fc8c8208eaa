using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Hosting;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Hosting;

/// <summary>
/// Real misbehaving plugins in the real engine loop: in every case the well-behaved signature still produces
/// all its findings.
/// </summary>
public sealed class MisbehavingSignatureTests : IAsyncLifetime
{
    private const int Events = 200;
    private static readonly string[] Misbehaving = ["TEST-SOMETIMES-THROWS", "TEST-BLOCKS-FOREVER", "TEST-SPINS", "TEST-ALLOCATES"];
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly ManualFeed _feed = new();
    private DetectionPipeline? _runtime;
    private DetectionService? _detection;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_detection is not null)
        {
            await _detection.StopAsync(CancellationToken.None);
        }

        _runtime?.Dispose();
        _folder.Dispose();
    }

    /// <summary>Starts the host with the well-behaved signature and one misbehaving signature enabled.</summary>
    private async Task StartAsync(string misbehaving, EngineConfig? engine = null)
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("Misbehaving"));
        var config = new SigsConfig
        {
            Engine = engine ?? new EngineConfig { IsolatedQueueCapacity = 20 },
            Signatures = Misbehaving.Where(id => id != misbehaving).ToDictionary(id => id, _ => new SignatureSettings { Enabled = false }),
        };
        _runtime = new DetectionPipeline(config, new PipelineSignatures.Folder(_folder.Path), [], _logs, TimeProvider.System);
        _detection = new DetectionService(_runtime, [_feed], TimeSpan.FromSeconds(2), _logs, stall: TimeSpan.FromMilliseconds(200));
        await _detection.StartAsync(CancellationToken.None);
        for (int i = 0; i < Events; i++)
        {
            _feed.Push(new SecurityEvent { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Sigs, Name = EventNames.ProcessExec });
        }
    }

    private SignatureRunner Runner(string id) => _runtime!.Engine.Index.Runners.Single(r => r.Metadata.Id == id);

    private Task WellBehavedGetsEverythingAsync() =>
        Eventually.TrueAsync(() => Runner("TEST-WELL-BEHAVED").Findings == Events, "every finding of the well-behaved signature", TimeSpan.FromSeconds(30));

    [Fact]
    public async Task SometimesThrows_IsContainedAndKeepsItsOtherFindings()
    {
        await StartAsync("TEST-SOMETIMES-THROWS", new EngineConfig { Quarantine = new QuarantineConfig { Faults = 1000 } });

        await WellBehavedGetsEverythingAsync();

        SignatureRunner flaky = Runner("TEST-SOMETIMES-THROWS");
        Assert.Equal(Events / 3, flaky.Faults);
        Assert.Equal(Events - (Events / 3), flaky.Findings);
        Assert.Equal(SignatureState.Active, flaky.State);
    }

    [Fact]
    public async Task BlocksForever_IsIsolatedAndItsOverflowIsCounted()
    {
        await StartAsync("TEST-BLOCKS-FOREVER");

        await WellBehavedGetsEverythingAsync();

        SignatureRunner blocked = Runner("TEST-BLOCKS-FOREVER");
        Assert.Equal(SignatureState.Isolated, blocked.State);
        Assert.Equal(1, blocked.Events);
        Assert.Equal(Events - 1 - 20, blocked.Dropped);
        Assert.Single(_logs.LinesContaining("Signature TEST-BLOCKS-FOREVER has been in one call for over 200 ms; a new engine thread continues without it"));
        Assert.Single(_logs.LinesContaining("Signature TEST-BLOCKS-FOREVER isolated: one call has not returned for 200 ms"));
    }

    [Fact]
    public async Task SpinsTheCpu_IsIsolatedWhileTheOthersKeepGoing()
    {
        await StartAsync("TEST-SPINS", new EngineConfig { IsolatedQueueCapacity = 1 });

        await WellBehavedGetsEverythingAsync();

        SignatureRunner spinner = Runner("TEST-SPINS");
        Assert.Equal(SignatureState.Isolated, spinner.State);
        // Each of its calls spins 3 s and its queue holds one event, so nearly every event is dropped; how many it
        // still takes depends on how long the 200 dispatches take (a loaded machine: 12 s, four more calls).
        Assert.True(spinner.Dropped >= Events / 2, $"dropped {spinner.Dropped}");
    }

    [Fact]
    public async Task AllocatesHeavily_DoesNotCostTheOthersAFinding()
    {
        await StartAsync("TEST-ALLOCATES");

        await WellBehavedGetsEverythingAsync();

        SignatureRunner allocator = Runner("TEST-ALLOCATES");
        await Eventually.TrueAsync(() => allocator.Findings + allocator.Dropped == Events, "the allocator to see or drop every event", TimeSpan.FromSeconds(60));
    }
}
