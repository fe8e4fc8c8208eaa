using System.Diagnostics;
using System.Globalization;

namespace Sigs.Host.Tests.TestSupport;

/// <summary>
/// A real <c>sleep</c> process for tests that read /proc: with a terminal (a pseudo-terminal from <c>script</c>)
/// or without one. Its pid and its start time are what /proc says.
/// </summary>
internal sealed class RunningProcess : IDisposable
{
    private readonly Process _launcher;

    private RunningProcess(Process launcher, int pid)
    {
        _launcher = launcher;
        Pid = pid;
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        ulong ticks = ulong.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], CultureInfo.InvariantCulture);
        long boot = long.Parse(File.ReadLines("/proc/stat").Single(l => l.StartsWith("btime ", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);
        StartTime = DateTimeOffset.FromUnixTimeSeconds(boot).AddSeconds(ticks / 100.0);
    }

    public int Pid { get; }

    /// <summary>When /proc says it started (boot time plus its start ticks).</summary>
    public DateTimeOffset StartTime { get; }

    public static Task<RunningProcess> WithTerminalAsync() => StartAsync(terminal: true);

    public static Task<RunningProcess> WithoutTerminalAsync() => StartAsync(terminal: false);

    /// <summary>The pid of a process that has exited.</summary>
    public static async Task<int> GonePidAsync()
    {
        using Process done = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await done.WaitForExitAsync();
        return done.Id;
    }

    private static async Task<RunningProcess> StartAsync(bool terminal)
    {
        string seconds = $"300.{Random.Shared.Next(100_000, 999_999)}"; // a unique command line to find it by
        ProcessStartInfo start = terminal
            ? new ProcessStartInfo("script", ["-qfec", $"exec sleep {seconds}", "/dev/null"])
            : new ProcessStartInfo("sleep", [seconds]);
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        Process launcher = Process.Start(start)!;
        if (!terminal)
        {
            return new RunningProcess(launcher, launcher.Id);
        }

        for (int attempt = 0; attempt < 100; attempt++)
        {
            foreach (string dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out int pid) && pid != launcher.Id
                    && TryRead(Path.Combine(dir, "cmdline")) == $"sleep\0{seconds}\0")
                {
                    return new RunningProcess(launcher, pid);
                }
            }

            await Task.Delay(20);
        }

        launcher.Kill(entireProcessTree: true);
        throw new InvalidOperationException("script did not start sleep");
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            Process.GetProcessById(Pid).Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // gone already
        }

        _launcher.Kill(entireProcessTree: true);
        _launcher.Dispose();
    }
}
