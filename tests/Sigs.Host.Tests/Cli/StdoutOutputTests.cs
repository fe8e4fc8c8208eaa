using System.Diagnostics;
using Sigs.Host.Tests.TestSupport;

namespace Sigs.Host.Tests.Cli;

/// <summary>The stdout output buffers its lines, but a running host's findings still appear within a fraction of a second.</summary>
public sealed class StdoutOutputTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_StdoutOutput_ShowsFindingsWhileTheHostRuns()
    {
        string config = _folder.File("sigs.yaml", $"""
            feeds:
              - type: file
                path: {Path.Combine(RepoPaths.Examples, "01-node-tracee.jsonl")}
            outputs:
              - type: stdout
            admin:
              enabled: false
            """);
        ProcessStartInfo start = Command.StartInfo(RepoPaths.HostExecutable, ["run", "--config", config]);
        using Process sigs = Process.Start(start)!;
        Task<string> stderr = sigs.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string? first = await sigs.StandardOutput.ReadLineAsync(timeout.Token);

            Assert.Contains("\"TRC-1018\"", first, StringComparison.Ordinal);
            Assert.False(sigs.HasExited, "the finding arrived only when the host ended");
        }
        finally
        {
            using (Process term = Process.Start("kill", ["-s", "TERM", sigs.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await term.WaitForExitAsync();
            }

            await sigs.WaitForExitAsync();
            _ = await stderr;
        }
    }
}
