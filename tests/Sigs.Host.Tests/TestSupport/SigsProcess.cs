using System.Diagnostics;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>Runs the built <c>sigs</c> executable as a real process.</summary>
internal sealed class SigsProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _stderrLines = new();

    private SigsProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = ReadLinesAsync(process.StandardError);
    }

    public int Pid => _process.Id;

    /// <summary>What the process wrote to stderr so far, line by line (for a test's failure message).</summary>
    public IReadOnlyList<string> StderrSoFar => [.. _stderrLines];

    private async Task<string> ReadLinesAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _stderrLines.Enqueue(line);
        }

        return string.Concat(_stderrLines.Select(l => l + "\n"));
    }

    public static SigsProcess Start(IEnumerable<string> args, string? workingDirectory = null)
    {
        ProcessStartInfo start = Command.StartInfo(RepoPaths.HostExecutable, args, workingDirectory);
        start.RedirectStandardInput = true;
        return new SigsProcess(Process.Start(start)!);
    }

    /// <summary>Runs to completion, with <paramref name="stdin"/> as its input.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, string stdin = "")
    {
        using SigsProcess process = Start(args);
        await process._process.StandardInput.WriteAsync(stdin);
        process._process.StandardInput.Close();
        return await process.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-s", name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public async Task<Result> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return new Result(_process.ExitCode, await _stdout, await _stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        /// <summary>The signature id of each finding stdout holds as a JSON line, in order.</summary>
        public IReadOnlyList<string> FindingSignatureIds =>
            [.. StdoutLines.Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("signature").GetProperty("id").GetString()!)];
    }
}
