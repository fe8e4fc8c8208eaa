using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Sigs.Host.Contract;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Native;
using Sigs.Plugins;

namespace Sigs.Benchmarks;

/// <summary>
/// What the native probe's fanotify permission events cost the processes it watches: 100,000 open+close calls
/// of an unwatched file and of a watched file, and 2,000 of the watched file a millisecond apart, without and with
/// the probe running, and with a bare responder that only allows (the floor). The opens run in a child
/// process (the probe allows its own process's opens without looking at them). Needs root.
/// Run: dotnet run -c Release --project bench/Sigs.Benchmarks -- open-overhead
/// </summary>
internal static partial class OpenOverheadRunner
{
    private const int Opens = 100_000;
    private const int SpacedOpens = 2_000;
    private const int Rounds = 5;

    public static async Task RunAsync()
    {
        string root = Directory.CreateTempSubdirectory("sigs-open-bench-").FullName;
        try
        {
            string watchedFolder = Directory.CreateDirectory(Path.Combine(root, "watched")).FullName;
            string unwatched = Path.Combine(Directory.CreateDirectory(Path.Combine(root, "other")).FullName, "file");
            string watched = Path.Combine(watchedFolder, "file");
            File.WriteAllText(unwatched, "x");
            File.WriteAllText(watched, "x");

            double unwatchedBefore = await MedianAsync(unwatched);
            double watchedBefore = await MedianAsync(watched);
            double spacedBefore = await MedianAsync(watched, spaced: true);

            var sink = new CountingSink();
            var plan = new WatchPlan([watchedFolder + "/"], Opens: true, Renames: false);
            using var probe = new FileProbe(plan, new KnownProcesses(), e => sink.TryPublishAll([e]), new FeedCounters(), problem => Console.Error.WriteLine(problem));
            using var stop = new CancellationTokenSource();
            Task running = probe.RunAsync(stop.Token);

            double unwatchedWith = await MedianAsync(unwatched);
            double watchedWith = await MedianAsync(watched);
            double spacedWith = await MedianAsync(watched, spaced: true);
            await stop.CancelAsync();
            await running;
            probe.Dispose();

            // The floors: a responder that only answers FAN_ALLOW, so the kernel's round trip and the wake-ups;
            // sleeping in read between events, and never sleeping (the probe spins briefly after each event).
            double watchedBare = await WithBareResponderAsync(watchedFolder, spin: false, () => MedianAsync(watched));
            double spacedBare = await WithBareResponderAsync(watchedFolder, spin: false, () => MedianAsync(watched, spaced: true));
            double watchedBareSpinning = await WithBareResponderAsync(watchedFolder, spin: true, () => MedianAsync(watched));

            Console.WriteLine($"{Opens:N0} open+close calls, median of {Rounds} rounds, microseconds per call:");
            Console.WriteLine($"  unwatched file: {unwatchedBefore:F2} without the probe, {unwatchedWith:F2} with it (added {unwatchedWith - unwatchedBefore:F2})");
            Console.WriteLine($"  watched file:   {watchedBefore:F2} without the probe, {watchedWith:F2} with it (added {watchedWith - watchedBefore:F2})");
            Console.WriteLine($"  watched file, {SpacedOpens:N0} opens 1 ms apart (the probe's reader asleep each time): {spacedBefore:F2} without the probe, {spacedWith:F2} with it, {spacedBare:F2} with a bare responder (added {spacedWith - spacedBefore:F2} and {spacedBare - spacedBefore:F2})");
            Console.WriteLine($"  watched file with a bare responder that only allows: {watchedBare:F2} sleeping between events, {watchedBareSpinning:F2} spinning (added {watchedBare - watchedBefore:F2} and {watchedBareSpinning - watchedBefore:F2}; the permission round trip alone)");
            Console.WriteLine($"  probe: {probe.Allowed:N0} permission events answered, {sink.Count:N0} events published, {probe.Late:N0} allowed late");
            Console.WriteLine($"  platform: {Environment.ProcessorCount} CPUs, {IdleSetting()}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The child process: opens and closes <paramref name="path"/> <see cref="Opens"/> times back to back, or
    /// (<paramref name="spaced"/>) <see cref="SpacedOpens"/> times a millisecond apart, timing only the calls;
    /// prints the average per call in ns.
    /// </summary>
    public static unsafe int OpenLoop(string path, bool spaced)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        int count = spaced ? SpacedOpens : Opens;
        long elapsed = 0;
        fixed (byte* bytes = name)
        {
            long started = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                if (spaced)
                {
                    Thread.Sleep(1);
                    started = Stopwatch.GetTimestamp();
                }

                int fd = open(bytes, 0x80000, 0);
                if (fd < 0)
                {
                    return 1;
                }

                _ = close(fd);
                if (spaced)
                {
                    elapsed += Stopwatch.GetTimestamp() - started;
                }
            }

            elapsed = spaced ? elapsed : Stopwatch.GetTimestamp() - started;
            Console.WriteLine((long)(elapsed * (1e9 / Stopwatch.Frequency) / count));
        }

        return 0;
    }

    /// <summary>
    /// How idle CPUs wait, which sets the floor: in a VM guest with halt polling off, every wake-up of an idle vCPU
    /// exits to the hypervisor.
    /// </summary>
    private static string IdleSetting()
    {
        string? driver = ReadSetting("/sys/devices/system/cpu/cpuidle/current_driver");
        string? pollNs = ReadSetting("/sys/module/haltpoll/parameters/guest_halt_poll_ns");
        return (driver, pollNs) switch
        {
            (null, _) => "cpuidle driver unknown",
            (_, null) => $"cpuidle driver {driver}",
            _ => $"cpuidle driver {driver}, guest halt polling up to {pollNs} ns{(pollNs == "0" ? " (off: waking an idle vCPU exits to the hypervisor)" : "")}",
        };
    }

    private static string? ReadSetting(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    private static async Task<double> MedianAsync(string path, bool spaced = false)
    {
        var perOpen = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string arg in Environment.GetCommandLineArgs().Skip(1).TakeWhile(a => a != "open-overhead"))
            {
                start.ArgumentList.Add(arg);
            }

            start.ArgumentList.Add(spaced ? "open-loop-spaced" : "open-loop");
            start.ArgumentList.Add(path);
            using Process child = Process.Start(start)!;
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

    private static async Task<double> WithBareResponderAsync(string folder, bool spin, Func<Task<double>> measure)
    {
        int group = Linux.fanotify_init(Linux.FanClassContent | Linux.FanCloexec | (spin ? Linux.FanNonblock : 0), (uint)(Linux.OCloexec | Linux.OLargefile));
        if (group < 0 || Mark(group, folder) != 0)
        {
            throw new InvalidOperationException($"fanotify failed: errno {Linux.LastError}");
        }

        using var stop = new CancellationTokenSource();
        Thread responder = new(() => Respond(group, spin, stop.Token)) { IsBackground = true };
        responder.Start();
        try
        {
            return await measure();
        }
        finally
        {
            await stop.CancelAsync();
            Linux.close(group); // wakes the responder's read
        }
    }

    private static unsafe int Mark(int group, string folder)
    {
        byte[] path = Linux.NullTerminated(folder);
        fixed (byte* bytes = path)
        {
            return Linux.fanotify_mark(group, Linux.FanMarkAdd, Linux.FanOpenPerm | Linux.FanEventOnChild, Linux.AtFdCwd, bytes);
        }
    }

    /// <summary>Blocking reads, or (<paramref name="spin"/>) non-blocking reads in a loop that never sleeps.</summary>
    private static unsafe void Respond(int group, bool spin, CancellationToken stop)
    {
        byte* buffer = stackalloc byte[4096];
        int* response = stackalloc int[2];
        while (!stop.IsCancellationRequested)
        {
            nint read = Linux.read(group, buffer, 4096);
            if (spin && read < 0)
            {
                continue;
            }

            for (int offset = 0; offset + 24 <= read; offset += *(int*)(buffer + offset))
            {
                response[0] = *(int*)(buffer + offset + 16);
                response[1] = (int)Linux.FanAllow;
                Linux.write(group, (byte*)response, 8);
                Linux.close(response[0]);
            }
        }
    }

    private sealed class CountingSink : IEventSink
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public ValueTask PublishAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.CompletedTask;
        }

        public bool TryPublishAll(IReadOnlyList<SecurityEvent> events)
        {
            Interlocked.Add(ref _count, events.Count);
            return true;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int open(byte* path, int flags, int mode);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
