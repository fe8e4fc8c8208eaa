using System.Net;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Loading;

/// <summary>
/// The plugin folder itself: one whose parent others can write to (so they could swap it for an empty one) is
/// refused at start and on rescans; a missing folder is logged once per change; losing signatures is degraded.
/// </summary>
public sealed class PluginFolderTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();

    public PluginFolderTests() => Directory.CreateDirectory(Plugins);

    public void Dispose() => _folder.Dispose();

    private string Parent => Path.Combine(_folder.Path, "parent");

    private string Plugins => Path.Combine(Parent, "plugins");

    private DetectionPipeline Runtime() => new(new SigsConfig(), new PipelineSignatures.Folder(Plugins), [], _logs, TimeProvider.System);

    [Fact]
    public void Start_ParentWritableByOthers_IsRefused()
    {
        TempFolder.CopyPlugin(RepoPaths.TestPlugin("NewtonsoftV13"), Plugins);
        File.SetUnixFileMode(Parent, (UnixFileMode)0x1FF); // 777, no sticky bit

        var error = Assert.Throws<ConfigException>(Runtime);

        Assert.Contains($"{Parent} is writable by group or others (mode 777), so they can swap the plugin folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ThroughALinkToASafeFolder_Loads_AndALinkToAnUnsafeOneIsRefused()
    {
        TempFolder.CopyPlugin(RepoPaths.TestPlugin("NewtonsoftV13"), Plugins);
        string link = Path.Combine(_folder.Path, "linked-plugins");
        File.CreateSymbolicLink(link, Plugins);

        using (var runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(link), [], _logs, TimeProvider.System))
        {
            Assert.Single(runtime.Engine.Index.Runners);
        }

        File.SetUnixFileMode(Parent, (UnixFileMode)0x1FF); // the folder the link leads into
        var error = Assert.Throws<ConfigException>(() => new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(link), [], _logs, TimeProvider.System));
        Assert.Contains($"{Parent} is writable by group or others", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rescan_FolderBecomesUnsafeOrMissing_KeepsThePluginsAndLogsOncePerChange()
    {
        TempFolder.CopyPlugin(RepoPaths.TestPlugin("NewtonsoftV13"), Plugins);
        using DetectionPipeline runtime = Runtime();
        Assert.Single(runtime.Engine.Index.Runners);

        File.SetUnixFileMode(Parent, (UnixFileMode)0x1FF);
        for (int i = 0; i < 3; i++)
        {
            Assert.Null(runtime.Plugins!.Rescan(requireStableFiles: false));
        }

        Assert.Contains("so they can swap the plugin folder", runtime.Plugins!.FolderProblem, StringComparison.Ordinal);
        Assert.Single(runtime.Plugins!.Plugins);
        Assert.Single(_logs.LinesContaining("Not scanning plugins"));

        File.SetUnixFileMode(Parent, (UnixFileMode)0x1ED); // 755
        Directory.Move(Plugins, Plugins + ".away");
        for (int i = 0; i < 3; i++)
        {
            runtime.Plugins!.Rescan(requireStableFiles: false);
        }

        Assert.Contains("does not exist", runtime.Plugins!.FolderProblem, StringComparison.Ordinal);
        Assert.Equal(2, _logs.LinesContaining("Not scanning plugins").Count);

        Directory.Move(Plugins + ".away", Plugins);
        runtime.Plugins!.Rescan(requireStableFiles: false);
        Assert.Null(runtime.Plugins!.FolderProblem);
        Assert.Single(_logs.LinesContaining("can be scanned again"));
    }

    [Fact]
    public async Task Run_PluginsRemoved_HealthIsDegradedWithTheReason()
    {
        TempFolder.CopyPlugin(RepoPaths.TestPlugin("NewtonsoftV13"), Plugins);
        TempFolder.CopyPlugin(RepoPaths.TestPlugin("VersionedV1"), Plugins);
        int port = Ports.Free();
        string config = _folder.File("sigs.yaml", $"plugins:\n  dir: {Plugins}\nadmin:\n  listen: http://127.0.0.1:{port}\nfeeds:\n  - type: k8s-audit\n    listen: http://127.0.0.1:{Ports.Free()}/k8s-audit\n");
        using SigsProcess sigs = SigsProcess.Start(["run", "--config", config]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.TrueAsync(() => Health(http) is (HttpStatusCode.OK, _), "a healthy start");

        Directory.Delete(Path.Combine(Plugins, "VersionedV1"), recursive: true);
        await Eventually.TrueAsync(() => Health(http) is (HttpStatusCode.ServiceUnavailable, _), "the lost signature to show");
        string fewer = Health(http)!.Value.Body;
        Directory.Delete(Path.Combine(Plugins, "NewtonsoftV13"), recursive: true);
        await Eventually.TrueAsync(() => Health(http)?.Body.Contains("no signatures are loaded", StringComparison.Ordinal) == true, "no signatures");
        sigs.Signal("TERM");
        await sigs.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("1 signatures are loaded, 2 were", fewer, StringComparison.Ordinal);
    }

    private static (HttpStatusCode Status, string Body)? Health(HttpClient http)
    {
        try
        {
            using HttpResponseMessage response = http.GetAsync("/healthz").GetAwaiter().GetResult();
            return (response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
