using System.Diagnostics;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Engine;
using Sigs.Host.Hosting;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Hosting;

/// <summary>Hot drop-in, in-place replacement and removal, with the real queue, engine loop and watch service.</summary>
public sealed class PluginWatchServiceTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly ManualFeed _feed = new();
    private readonly DetectionPipeline _runtime;
    private readonly DetectionService _detection;
    private readonly PluginWatchService _watch;

    public PluginWatchServiceTests()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("NewtonsoftV13"));
        _runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(_folder.Path), [], _logs, TimeProvider.System);
        _detection = new DetectionService(_runtime, [_feed], TimeSpan.FromSeconds(10), _logs);
        _watch = new PluginWatchService(_runtime, _detection, _logs.CreateLogger(LogCategories.Loading));
        _detection.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _watch.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _watch.StopAsync(CancellationToken.None);
        await _detection.StopAsync(CancellationToken.None);
        _runtime.Dispose();
        _folder.Dispose();
    }

    private string Versioned => Path.Combine(_folder.Path, "Versioned");

    private SignatureRunner? Runner(string id) => _runtime.Engine.Index.Runners.FirstOrDefault(r => r.Metadata.Id == id);

    private static SecurityEvent Exec() => new() { Time = DateTimeOffset.UnixEpoch, Source = EventSources.Sigs, Name = EventNames.ProcessExec };

    private static void CopyPluginAs(string built, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(built))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Watch_DropInReplaceRemove_LoadsSwapsAndUnloadsWithoutRestart()
    {
        CopyPluginAs(RepoPaths.TestPlugin("VersionedV1"), Versioned);
        await WaitForAsync(() => Runner("TEST-VERSIONED")?.Metadata.Version == "1", "version 1 to load");
        _feed.Push(Exec());
        await WaitForAsync(() => Runner("TEST-VERSIONED")?.Events == 1, "version 1 to receive the event");

        File.Copy(Path.Combine(RepoPaths.TestPlugin("VersionedV2"), "Versioned.dll"), Path.Combine(Versioned, "Versioned.dll"), overwrite: true);
        await WaitForAsync(() => Runner("TEST-VERSIONED")?.Metadata.Version == "2", "version 2 to replace version 1");
        _feed.Push(Exec());
        await WaitForAsync(() => Runner("TEST-VERSIONED")?.Events == 1, "version 2 to receive the event");
        await WaitForAsync(() => _logs.LinesContaining("Versioned.dll unloaded and collected").Count == 1, "version 1 to be collected");

        Directory.Delete(Versioned, recursive: true);
        await WaitForAsync(() => Runner("TEST-VERSIONED") is null, "the plugin to be unloaded");
        await WaitForAsync(() => _logs.LinesContaining("Versioned.dll unloaded and collected").Count == 2, "version 2 to be collected");

        Assert.Equal(2, Runner("TEST-NEWTONSOFT-13")!.Events);
        Assert.Empty(_logs.LinesContaining("not collected"));
    }

    [Fact]
    public async Task Watch_ShippedPluginWithConfigRemoved_IsCollected()
    {
        _folder.AddPlugin(Path.Combine(RepoPaths.ShippedPlugins, "Sigs.Signatures.SaTokenApi"));
        await WaitForAsync(() => Runner("SIGS-1003") is not null, "SIGS-1003 to load");

        Directory.Delete(Path.Combine(_folder.Path, "Sigs.Signatures.SaTokenApi"), recursive: true);

        await WaitForAsync(() => _logs.LinesContaining("Sigs.Signatures.SaTokenApi.dll unloaded and collected").Count == 1, "SIGS-1003's context to be collected");
        Assert.Empty(_logs.LinesContaining("not collected"));
    }

    [Fact]
    public async Task Watch_PluginThatLeaks_IsReportedByName()
    {
        _folder.AddPlugin(RepoPaths.TestPlugin("Leaky"));
        await WaitForAsync(() => Runner("TEST-LEAKY") is not null, "the leaky plugin to load");

        Directory.Delete(Path.Combine(_folder.Path, "Leaky"), recursive: true);

        await WaitForAsync(() => _logs.LinesContaining("Leaky.dll was unloaded but its load context was not collected").Count == 1, "the leak warning");
        Assert.Null(Runner("TEST-LEAKY"));
    }

    [Fact]
    public async Task Watch_HalfWrittenDll_IsNeverLoadedBrokenAndIsRetriedWhenComplete()
    {
        byte[] complete = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.TestPlugin("VersionedV1"), "Versioned.dll"));
        Directory.CreateDirectory(Versioned);
        File.Copy(Path.Combine(RepoPaths.TestPlugin("VersionedV1"), "Versioned.deps.json"), Path.Combine(Versioned, "Versioned.deps.json"));
        await File.WriteAllBytesAsync(Path.Combine(Versioned, "Versioned.dll"), complete[..(complete.Length / 2)]);

        await WaitForAsync(() => _logs.LinesContaining("Refused plugin").Count == 1, "the half-written copy to be tried and refused");
        _feed.Push(Exec());
        await WaitForAsync(() => Runner("TEST-NEWTONSOFT-13")?.Events == 1, "the running plugin to keep receiving");
        Assert.Null(Runner("TEST-VERSIONED"));

        await File.WriteAllBytesAsync(Path.Combine(Versioned, "Versioned.dll"), complete);
        await WaitForAsync(() => Runner("TEST-VERSIONED") is not null, "the completed copy to load");
        Assert.Single(_logs.LinesContaining("Refused plugin"));
    }

    [Fact]
    public async Task Watch_SwapUnderLoad_DeliversEveryEventExactlyOnce()
    {
        CopyPluginAs(RepoPaths.TestPlugin("VersionedV1"), Versioned);
        await WaitForAsync(() => Runner("TEST-VERSIONED") is not null, "version 1 to load");
        SignatureRunner first = Runner("TEST-VERSIONED")!;
        SignatureRunner kept = Runner("TEST-NEWTONSOFT-13")!;
        const int batch = 5_000;

        Push(batch); // before the swap
        await WaitForAsync(() => first.Events == batch, "version 1 to see the first batch");
        Task during = Task.Run(async () =>
        {
            for (int i = 0; i < 20; i++)
            {
                Push(batch / 10);
                await Task.Delay(25);
            }
        });
        File.Copy(Path.Combine(RepoPaths.TestPlugin("VersionedV2"), "Versioned.dll"), Path.Combine(Versioned, "Versioned.dll"), overwrite: true);
        await WaitForAsync(() => Runner("TEST-VERSIONED")?.Metadata.Version == "2", "version 2 to replace version 1");
        await during;
        Push(batch); // after the swap
        const int total = (2 * batch) + (20 * (batch / 10));
        await WaitForAsync(() => kept.Events == total, "every event to be processed");
        SignatureRunner second = Runner("TEST-VERSIONED")!;

        Assert.True(first.Events >= batch && second.Events >= batch, $"{first.Events} + {second.Events}");
        Assert.Equal(total, first.Events + second.Events);
        Assert.Same(kept, Runner("TEST-NEWTONSOFT-13"));
    }

    private void Push(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _feed.Push(Exec());
        }
    }
}
