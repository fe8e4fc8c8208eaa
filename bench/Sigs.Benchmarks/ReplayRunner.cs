using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Sigs.Benchmarks;

/// <summary>
/// <c>sigs replay</c> against its floor, per format, side by side in one run: generated files of realistic lines
/// (<see cref="ReplayLines"/>), the floor (<see cref="TokenizerFloor"/>) and a replay with every shipped signature
/// and findings written to stdout, each a process of its own, best of several runs; then start-up (an empty
/// file) and peak RSS at two file sizes. The host measured is the one the image ships: published for this platform,
/// precompiled (ReadyToRun); the build output's (compiled as it runs) is measured once beside it.
/// Run: dotnet run -c Release --project bench/Sigs.Benchmarks -- replay
/// (SIGS_BENCH_EVENTS: events per file, default 200000; SIGS_BENCH_RUNS: runs per measure, default 3;
/// SIGS_BENCH_HOST: a published host's folder to measure instead of publishing one).
/// </summary>
internal static class ReplayRunner
{
    private static readonly string HostFolder = Metadata("HostFolder");

    private static readonly string PluginFolder = Path.Combine(HostFolder, "plugins");

    public static async Task RunAsync()
    {
        int events = Setting("SIGS_BENCH_EVENTS", 200_000);
        int runs = Setting("SIGS_BENCH_RUNS", 3);
        string folder = Directory.CreateTempSubdirectory("sigs-replay-bench-").FullName;
        try
        {
            string published = Environment.GetEnvironmentVariable("SIGS_BENCH_HOST") ?? await PublishAsync(Path.Combine(folder, "host"));
            string host = Path.Combine(published, "sigs.dll");
            Console.WriteLine($"{events:N0} events per file, best of {runs} runs, {Environment.ProcessorCount} CPUs, host {host}");
            Console.WriteLine("| Format | MB | Floor (s) | sigs replay (s) | Ratio (floor / replay) | Events/s | Findings | Peak RSS (MiB) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (string format in ReplayLines.Formats)
            {
                string file = Write(folder, format, events);
                Measured floor = await BestAsync(runs, () => RunAsync(FloorCommand(file)));
                Measured replay = await BestAsync(runs, () => RunAsync(ReplayCommand(host, file)));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {format} | {new FileInfo(file).Length / 1e6:F0} | {floor.Seconds:F2} | {replay.Seconds:F2} | {floor.Seconds / replay.Seconds:F2} | {events / replay.Seconds:N0} | {replay.Lines:N0} | {replay.PeakMiB:F0} |"));
                if (format == ReplayLines.Formats[0])
                {
                    Measured built = await BestAsync(runs, () => RunAsync(ReplayCommand(Path.Combine(HostFolder, "sigs.dll"), file)));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {format}, the build output's host | | {floor.Seconds:F2} | {built.Seconds:F2} | {floor.Seconds / built.Seconds:F2} | {events / built.Seconds:N0} | {built.Lines:N0} | {built.PeakMiB:F0} |"));
                }

                File.Delete(file);
            }

            string empty = Path.Combine(folder, "empty.jsonl");
            File.WriteAllText(empty, string.Empty);
            Measured startup = await BestAsync(runs, () => RunAsync(ReplayCommand(host, empty)));
            Measured builtStartup = await BestAsync(runs, () => RunAsync(ReplayCommand(Path.Combine(HostFolder, "sigs.dll"), empty)));
            Measured floorStartup = await BestAsync(runs, () => RunAsync(FloorCommand(empty)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"start-up (empty file): sigs replay {startup.Seconds:F2} s (the build output's host {builtStartup.Seconds:F2} s), floor {floorStartup.Seconds:F2} s"));

            foreach (int size in (int[])[events, events * 10])
            {
                string file = Write(folder, "tracee", size);
                Measured replay = await RunAsync(ReplayCommand(host, file));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak RSS, tracee, {size:N0} events ({new FileInfo(file).Length / 1e6:F0} MB): {replay.PeakMiB:F0} MiB in {replay.Seconds:F2} s"));
                File.Delete(file);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A build fact the project file stamps on this assembly (HostFolder, PluginFolder, HostProject).</summary>
    internal static string Metadata(string key) =>
        typeof(ReplayRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>Publishes the host as deploy/Dockerfile does (for this platform, so precompiled) into <paramref name="output"/>.</summary>
    private static async Task<string> PublishAsync(string output)
    {
        ProcessStartInfo publish = Dotnet("publish", Metadata("HostProject"), "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-o", output);
        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(publish)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the host exited {process.ExitCode}: {await stdout}{await stderr}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"published the host ({RuntimeInformation.RuntimeIdentifier}, ReadyToRun) in {clock.Elapsed.TotalSeconds:F0} s"));
        return output;
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out int value) ? value : fallback;

    private static string Write(string folder, string format, int events)
    {
        string file = Path.Combine(folder, $"{format}-{events}.jsonl");
        File.WriteAllLines(file, ReplayLines.Generate(format, events));
        return file;
    }

    private static ProcessStartInfo FloorCommand(string file) =>
        Dotnet(typeof(ReplayRunner).Assembly.Location, "replay-floor", file);

    private static ProcessStartInfo ReplayCommand(string host, string file) =>
        Dotnet(host, "replay", "--quiet", "--log-level", "warning", "--plugins", PluginFolder, file);

    private static ProcessStartInfo Dotnet(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static async Task<Measured> BestAsync(int runs, Func<Task<Measured>> run)
    {
        Measured best = await run();
        for (int i = 1; i < runs; i++)
        {
            Measured next = await run();
            best = next.Seconds < best.Seconds ? next : best;
        }

        return best;
    }

    /// <summary>Runs the process to its end: wall time, the lines it printed on stdout, and its peak RSS (VmHWM, read every 5 ms).</summary>
    private static async Task<Measured> RunAsync(ProcessStartInfo start)
    {
        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(start)!;
        long lines = 0;
        Task stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
                lines++;
            }
        });
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        long peakKb = 0;
        while (!process.HasExited)
        {
            peakKb = Math.Max(peakKb, PeakKb(process.Id));
            await Task.Delay(5);
        }

        await process.WaitForExitAsync();
        double seconds = clock.Elapsed.TotalSeconds;
        await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await stderr}");
        }

        return new Measured(seconds, lines, peakKb / 1024.0);
    }

    private static long PeakKb(int pid)
    {
        try
        {
            string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // exited between the check and the read
        }
    }

    private sealed record Measured(double Seconds, long Lines, double PeakMiB);
}
