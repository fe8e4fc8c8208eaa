using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Sigs.Host.Contract;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Native;
using Sigs.Plugins;

namespace Sigs.Benchmarks;

/// <summary>
/// What the native probe costs and what it sees, as root, in three parts:
/// 1. Latency: 100,000 open+read+close calls from a child process (the probe ignores its own process) of a file in
///    an unwatched folder and of one in a watched folder, without and with the file probe (median of 5 rounds).
/// 2. Flood: a child with 256 threads opening and reading a watched file in a loop for 20 s while 100 `cat`s read
///    another: the cats' reads delivered, the queue overflows counted, and the CPU the probe used.
/// 3. argv: the host (<c>sigs run</c> with the native feed and the shipped signatures) through 10,000 execs with
///    2 MB of argv each: its RSS before and its peak (VmHWM) after.
/// Run: dotnet run -c Release --project bench/Sigs.Benchmarks -- native [latency|flood|argv]
/// </summary>
internal static partial class NativeProbeRunner
{
    private const int Opens = 100_000;
    private const int Rounds = 5;
    private const int FloodThreads = 256;
    private const int FloodSeconds = 20;
    private const int AttackerReads = 100;
    private const int Execs = 10_000;

    public static async Task RunAsync(string? part)
    {
        string root = Directory.CreateTempSubdirectory("sigs-native-bench-").FullName;
        try
        {
            string watchedFolder = Directory.CreateDirectory(Path.Combine(root, "watched")).FullName;
            if (part is null or "latency")
            {
                await LatencyAsync(root, watchedFolder);
            }

            if (part is null or "flood")
            {
                await FloodAsync(watchedFolder);
            }

            if (part is null or "argv")
            {
                await ArgvAsync(root);
            }

            Console.WriteLine($"platform: {Environment.ProcessorCount} CPUs, kernel {Environment.OSVersion.Version}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task LatencyAsync(string root, string watchedFolder)
    {
        string unwatched = Path.Combine(Directory.CreateDirectory(Path.Combine(root, "other")).FullName, "file");
        string watched = Path.Combine(watchedFolder, "file");
        File.WriteAllText(unwatched, "x");
        File.WriteAllText(watched, "x");

        double unwatchedBefore = await MedianAsync(unwatched);
        double watchedBefore = await MedianAsync(watched);
        var sink = new CountingSink();
        long published;
        double unwatchedWith;
        double watchedWith;
        using (var probe = new FileProbe(new WatchPlan([watchedFolder + "/"], Opens: true, Renames: false), new KnownProcesses(), e => sink.Add(), new FeedCounters(), Console.Error.WriteLine))
        {
            using var stop = new CancellationTokenSource();
            Task running = probe.RunAsync(stop.Token);
            unwatchedWith = await MedianAsync(unwatched);
            watchedWith = await MedianAsync(watched);
            await stop.CancelAsync();
            await running;
            published = sink.Count;
        }

        Console.WriteLine($"latency: {Opens:N0} open+read+close calls, median of {Rounds} rounds, microseconds per call:");
        Console.WriteLine($"  unwatched file: {unwatchedBefore:F2} without the probe, {unwatchedWith:F2} with it (added {unwatchedWith - unwatchedBefore:F2})");
        Console.WriteLine($"  watched file:   {watchedBefore:F2} without the probe, {watchedWith:F2} with it (added {watchedWith - watchedBefore:F2})");
        Console.WriteLine($"  probe: {published:N0} open events published for {Rounds * Opens:N0} watched opens (the kernel merges one process's events on one file while they wait)");
    }

    private static async Task FloodAsync(string watchedFolder)
    {
        string noise = Path.Combine(watchedFolder, "noise.crt");
        string key = Path.Combine(watchedFolder, "ca.key");
        File.WriteAllText(noise, "crt");
        File.WriteAllText(key, "key");
        var sink = new CountingSink(key);
        using var probe = new FileProbe(new WatchPlan([watchedFolder + "/"], Opens: true, Renames: false), new KnownProcesses(), sink.Add, new FeedCounters(), Console.Error.WriteLine);
        using var stop = new CancellationTokenSource();
        Task running = probe.RunAsync(stop.Token);

        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using Process flood = Child("flood-loop", noise, FloodThreads.ToString(CultureInfo.InvariantCulture), FloodSeconds.ToString(CultureInfo.InvariantCulture));
        await Task.Delay(TimeSpan.FromSeconds(2));
        using Process cats = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"for i in $(seq {AttackerReads}); do cat {key} > /dev/null; done"]) { UseShellExecute = false })!;
        await cats.WaitForExitAsync();
        string floodOpens = (await flood.StandardOutput.ReadToEndAsync()).Trim();
        await flood.WaitForExitAsync();
        await Task.Delay(TimeSpan.FromSeconds(1)); // what is still queued
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        double seconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await running;

        Console.WriteLine($"flood: {FloodThreads} threads opened and read a watched file {long.Parse(floodOpens, CultureInfo.InvariantCulture):N0} times in {FloodSeconds} s while {AttackerReads} cats read another");
        Console.WriteLine($"  cats' reads delivered: {sink.Matching} of {AttackerReads}; open events published in all: {sink.Count:N0}; kernel queue overflows: {probe.QueueOverflows}");
        Console.WriteLine($"  probe CPU: {cpu.TotalSeconds:F1} s over {seconds:F1} s ({100 * cpu.TotalSeconds / seconds:F0}% of one core)");
    }

    private static async Task ArgvAsync(string root)
    {
        string config = Path.Combine(root, "native.yaml");
        File.WriteAllText(config, "feeds:\n  - type: native\noutputs:\n  - type: stdout\n");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(ReplayRunner.Metadata("HostFolder"), "sigs.dll"), "run", "--config", config })
        {
            start.ArgumentList.Add(arg);
        }

        using Process host = Process.Start(start)!;
        long largestLine = 0;
        Task output = Task.Run(async () =>
        {
            while (await host.StandardOutput.ReadLineAsync() is { } line)
            {
                largestLine = Math.Max(largestLine, Encoding.UTF8.GetByteCount(line));
            }
        });
        _ = host.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(8)); // started and scanned
        long before = StatusKilobytes(host.Id, "VmRSS:");

        // A credential path and 16 arguments of 128,000 bytes (one argument may be at most 128 KiB), so SIGS-1004
        // fires and its finding carries the argv: 2 MB per exec.
        var clock = Stopwatch.StartNew();
        // `cat` (a reader SIGS-1004 knows) with the path first; it fails at once on the long names that follow.
        string script = $"A=$(head -c 128000 /dev/zero | tr '\\0' a); args=(/root/.aws/credentials); for j in $(seq 16); do args+=(\"$A\"); done; for i in $(seq {Execs}); do /bin/cat \"${{args[@]}}\" 2>/dev/null; done";
        using (Process execs = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", script]) { UseShellExecute = false })!)
        {
            await execs.WaitForExitAsync();
        }

        double seconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(3));
        long after = StatusKilobytes(host.Id, "VmRSS:");
        long peak = StatusKilobytes(host.Id, "VmHWM:");
        host.Kill();
        await host.WaitForExitAsync();
        await output;
        Console.WriteLine($"argv: {Execs:N0} execs with 2 MB of argv each in {seconds:F0} s: host RSS {before / 1024} MB before, {after / 1024} MB after, peak {peak / 1024} MB; largest finding line {largestLine:N0} bytes (argv kept: {ArgvLimit.MaxBytes:N0} bytes)");
    }

    /// <summary>The child process of the latency part: open, read and close <paramref name="path"/> <see cref="Opens"/> times; prints ns per call.</summary>
    public static unsafe int OpenLoop(string path)
    {
        byte[] name = Encoding.UTF8.GetBytes(path + "\0");
        byte* buffer = stackalloc byte[16];
        fixed (byte* bytes = name)
        {
            long started = Stopwatch.GetTimestamp();
            for (int i = 0; i < Opens; i++)
            {
                int fd = open(bytes, 0x80000, 0);
                if (fd < 0)
                {
                    return 1;
                }

                _ = read(fd, buffer, 16);
                _ = close(fd);
            }

            Console.WriteLine((long)(Stopwatch.GetElapsedTime(started).TotalNanoseconds / Opens));
        }

        return 0;
    }

    /// <summary>The child process of the flood: <paramref name="threads"/> threads open, read and close a file for <paramref name="seconds"/>; prints the opens.</summary>
    public static unsafe int FloodLoop(string path, int threads, int seconds)
    {
        byte[] name = Encoding.UTF8.GetBytes(path + "\0");
        long opens = 0;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        Thread[] workers = [.. Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            byte* buffer = stackalloc byte[16];
            long mine = 0;
            fixed (byte* bytes = name)
            {
                while (Stopwatch.GetTimestamp() < until)
                {
                    int fd = open(bytes, 0x80000, 0);
                    _ = read(fd, buffer, 16);
                    _ = close(fd);
                    mine++;
                }
            }

            Interlocked.Add(ref opens, mine);
        }))];
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Console.WriteLine(opens);
        return 0;
    }

    private static Process Child(string command, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in Environment.GetCommandLineArgs().Skip(1).TakeWhile(a => a != "native"))
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add(command);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task<double> MedianAsync(string path)
    {
        var perOpen = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            using Process child = Child("open-loop", path);
            string output = await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            if (child.ExitCode != 0)
            {
                throw new InvalidOperationException($"the open loop failed on {path}");
            }

            perOpen.Add(long.Parse(output.Trim(), CultureInfo.InvariantCulture) / 1000.0);
        }

        perOpen.Sort();
        return perOpen[Rounds / 2];
    }

    private static long StatusKilobytes(int pid, string field) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => long.Parse(l[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).First();

    private sealed class CountingSink(string? path = null)
    {
        private long _count;
        private long _matching;

        public long Count => Interlocked.Read(ref _count);

        /// <summary>Distinct processes whose open of the path was published.</summary>
        public long Matching => Interlocked.Read(ref _matching);

        public void Add(SecurityEvent? securityEvent = null)
        {
            Interlocked.Increment(ref _count);
            if (path is not null && securityEvent?.File?.Path == path)
            {
                Interlocked.Increment(ref _matching);
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int open(byte* path, int flags, int mode);

    [LibraryImport("libc")]
    private static unsafe partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
