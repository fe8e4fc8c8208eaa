using System.Diagnostics;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Engine;
using Sigs.Host.Feeds.Native;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Feeds.Native;

/// <summary>
/// The native probe's file events for real, as root: fanotify marks derived from the shipped signatures, a
/// process in its own mount namespace and a containerd-like cgroup, renames, and the findings they give.
/// Everything made here (files, folders, cgroups, mounts in the test's namespace) is removed on dispose.
/// </summary>
[Collection(NativeProbeCollection.Name)]
public sealed class NativeFileEventsTests : IAsyncLifetime
{
    private const string ContainerId = "5c1f0e9d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e";
    private const string PodUid = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

    private static readonly string[] CgroupHierarchies = ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"];

    private readonly TempFolder _folder = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CollectingEventSink _sink = new();
    private readonly CollectingOutput _findings = new();
    private readonly DetectionPipeline _runtime;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Action> _cleanup = [];
    private readonly List<Process> _processes = [];
    private NativeFeed? _feed;
    private Task _running = Task.CompletedTask;

    public NativeFileEventsTests()
    {
        _runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [_findings], _logs, TimeProvider.System);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (Process process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        await _stop.CancelAsync();
        await _running;
        _feed?.Dispose();
        // Every step runs even when one fails; the failures are reported together.
        List<Exception> failures = [];
        foreach (Action clean in Enumerable.Reverse(_cleanup))
        {
            try
            {
                clean();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures.Add(ex);
            }
        }

        _runtime.Dispose();
        _folder.Dispose();
        if (failures.Count > 0)
        {
            throw new AggregateException("cleanup failed", failures);
        }
    }

    private async Task<NativeFeed> StartProbeAsync()
    {
        _feed = new NativeFeed(_logs.CreateLogger("native"), _runtime.WatchPlan, TimeSpan.FromMilliseconds(500));
        _running = _feed.RunAsync(_sink, _stop.Token);
        // The probe scans every mount namespace before it is published: wait for that, not for a mark, which
        // exists only where one of the signatures' folders happens to exist on this machine. Each test makes the
        // folders it needs before this (PkiKey) or waits for its own container's mount after it.
        await Eventually.TrueAsync(() => _feed.Files is not null, "the probe to scan the mount namespaces");
        return _feed;
    }

    /// <summary>Runs every collected event through the engine, in order, once.</summary>
    private IReadOnlyList<Finding> FindingsOf(string id)
    {
        foreach (SecurityEvent securityEvent in _sink.Events)
        {
            _runtime.Process(securityEvent);
        }

        _runtime.Findings.Flush();
        return [.. _findings.Findings.Where(f => f.Signature.Id == id)];
    }

    private Process Start(string script, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process = Process.Start(start)!;
        _processes.Add(process);
        return process;
    }

    private async Task RunAsync(string script)
    {
        Process process = Start(script);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"'{script}' exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
    }

    private SecurityEvent[] OpensOf(string pathEnd) =>
        [.. _sink.Events.Where(e => e.Name == EventNames.FileOpen && e.File?.Path?.EndsWith(pathEnd, StringComparison.Ordinal) == true)];

    /// <summary>Makes <paramref name="path"/> and its missing parents, and removes what was made on dispose.</summary>
    private void MakeFolder(string path)
    {
        string? parent = Path.GetDirectoryName(path);
        if (Directory.Exists(path) || parent is null)
        {
            return;
        }

        MakeFolder(parent);
        Directory.CreateDirectory(path);
        _cleanup.Add(() => Directory.Delete(path, recursive: true));
    }

    /// <summary>A key file of its own in the watched <c>/etc/kubernetes/pki/</c> (made when missing), removed on dispose.</summary>
    private string PkiKey()
    {
        MakeFolder("/etc/kubernetes/pki");
        string key = $"/etc/kubernetes/pki/sigs-test-{Guid.NewGuid():N}.key";
        File.WriteAllText(key, "-----BEGIN PRIVATE KEY-----\n");
        _cleanup.Add(() => File.Delete(key));
        return key;
    }

    /// <summary>A cgroup named the way the systemd cgroup driver names a containerd container of a pod.</summary>
    private string ContainerCgroup()
    {
        string hierarchy = CgroupHierarchies.First(h => File.Exists(Path.Combine(h, "cgroup.procs")));
        string pod = $"kubepods-besteffort-pod{PodUid.Replace('-', '_')}.slice";
        string top = Path.Combine(hierarchy, $"sigs-test-{Guid.NewGuid():N}.slice");
        string leaf = Path.Combine(top, pod, $"cri-containerd-{ContainerId}.scope");
        Directory.CreateDirectory(leaf);
        _cleanup.Add(() =>
        {
            // A cgroup can be removed once its processes are gone, innermost first; the kernel may report it
            // busy for a moment after the last process exits.
            KillAll(leaf);
            foreach (string dir in new[] { leaf, Path.GetDirectoryName(leaf)!, top })
            {
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        Directory.Delete(dir);
                        break;
                    }
                    catch (IOException) when (attempt < 100)
                    {
                        Thread.Sleep(50);
                    }
                }
            }
        });
        return leaf;
    }

    /// <summary>Ends every process in <paramref name="cgroup"/>.</summary>
    private static void KillAll(string cgroup)
    {
        foreach (string pid in File.ReadAllLines(Path.Combine(cgroup, "cgroup.procs")))
        {
            try
            {
                using Process member = Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture));
                member.Kill();
            }
            catch (ArgumentException)
            {
                // Gone already.
            }
        }
    }

    [Fact]
    public async Task TokenRead_InAContainerFromATerminal_FiresSigs1002WithThePathTheContainerSees()
    {
        string serviceAccount = Path.Combine(_folder.Path, "pods", PodUid, "volumes", "kubernetes.io~projected", "kube-api-access");
        Directory.CreateDirectory(serviceAccount);
        File.WriteAllText(Path.Combine(serviceAccount, "token"), "eyJhbGciOiJSUzI1NiJ9.test");
        File.WriteAllText(Path.Combine(serviceAccount, "namespace"), "payments");
        string cgroup = ContainerCgroup();
        string ready = Path.Combine(_folder.Path, "ready");
        string go = Path.Combine(_folder.Path, "go");
        string go2 = Path.Combine(_folder.Path, "go2");
        NativeFeed feed = await StartProbeAsync();

        // unshare gives the shell its own mount namespace; /run there is a fresh tmpfs, so nothing shows on the host.
        const string Token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
        Process container = Start(
            $"""
            exec unshare -m --propagation private sh -c '
              echo $$ > {cgroup}/cgroup.procs &&
              mount -t tmpfs sigs-test /run &&
              mkdir -p /run/secrets/kubernetes.io/serviceaccount &&
              mount --bind {serviceAccount} /run/secrets/kubernetes.io/serviceaccount &&
              touch {ready} &&
              while [ ! -e {go} ]; do sleep 0.05; done &&
              (sleep 600 | script -qc "tail -f {Token}" /dev/null > /dev/null &) &&
              while [ ! -e {go2} ]; do sleep 0.05; done &&
              (tail -f {Token} > /dev/null &) &&
              sleep 600'
            """,
            new Dictionary<string, string> { ["HOSTNAME"] = "payments-api-7d9f" });

        await Eventually.TrueAsync(() => File.Exists(ready), "the container's mounts");
        await Eventually.TrueAsync(() => feed.Files!.Marks.Watches(container.Id, "/run/secrets/kubernetes.io/serviceaccount/"), "the probe to mark the container's service-account folder");
        await Eventually.TrueAsync(() => feed.PodOf(PodUid)?.Complete == true, "the pod's names");
        // The readers stay alive (tail -f) until their reads are seen: this test is about what a container's read is
        // reported as; reads by processes gone before the probe reads them are AwaitingFactsTests' and
        // KnownProcessesTests' (and the short cats of the native-mountns-evasion script).
        File.WriteAllText(go, "");
        await Eventually.TrueAsync(() => OpensOf("/secrets/kubernetes.io/serviceaccount/token").Length >= 1, "the read from a terminal");
        File.WriteAllText(go2, "");
        await Eventually.TrueAsync(() => OpensOf("/secrets/kubernetes.io/serviceaccount/token").Length >= 2, "both token reads");
        KillAll(cgroup); // the readers left the shell's process tree (started in the background of subshells)
        await container.WaitForExitAsync();

        SecurityEvent[] reads = OpensOf("/secrets/kubernetes.io/serviceaccount/token");
        Assert.All(reads, read =>
        {
            Assert.Equal(EventOrigin.Container, read.Origin);
            Assert.Equal(ContainerId, read.Container!.Id);
            Assert.Equal(PodUid, read.Kubernetes!.PodUid);
            Assert.Equal("payments", read.Kubernetes.Namespace);
            Assert.Equal("payments-api-7d9f", read.Kubernetes.PodName);
            Assert.Equal("tail", read.Process!.Name);
            Assert.Equal(0, read.File!.Flags);
            Assert.DoesNotContain(_folder.Path, read.File.Path, StringComparison.Ordinal);
        });
        // Per reader, in the order they read: the one with a terminal first. (Once in many runs the terminal's reader
        // was reported a second time, after the readers were killed: per process, not per report.)
        IGrouping<int?, SecurityEvent>[] readers = [.. reads.GroupBy(r => r.Process!.HostPid)];
        Assert.Equal([true, false], readers.Select(r => r.First().Process!.Interactive == true));
        Assert.All(readers, reader => Assert.Single(reader.Select(r => r.Process!.Interactive).Distinct()));

        // The exec of tail with the token in its arguments fires too; the read without a terminal does not.
        IReadOnlyList<Finding> findings = FindingsOf("SIGS-1002");
        Assert.All(findings, f => Assert.True(f.Event.Process!.Interactive));
        Finding finding = Assert.Single(findings.Where(f => f.Event.Name == EventNames.FileOpen).GroupBy(f => f.Event.Process!.HostPid)).First();
        Assert.Equal(ContainerId, finding.Event.Container!.Id);
        Assert.True(finding.Event.Process!.Interactive);
        Assert.EndsWith("/run/secrets/kubernetes.io/serviceaccount/token", finding.Event.File!.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PkiFolder_ReadAndRenameOut_FireTrc1018_AndWritesAndOtherFoldersDoNot()
    {
        string key = PkiKey();
        string stolen = $"/etc/kubernetes/{Path.GetFileNameWithoutExtension(key)}.stolen";
        _cleanup.Add(() => File.Delete(stolen));
        string unwatched = _folder.File("elsewhere.key", "not watched");
        await StartProbeAsync();

        // A read, then an append, then a rename. The probe reads a file's path when it reads the event, so the
        // rename waits until the write was seen (renamed first, the write would be reported under the new name;
        // docs/feeds.md). `cat` and `mv` are left unreaped (a zombie keeps its /proc stat and comm) until their
        // events have been seen: on a busy machine a process reaped within a millisecond of its exec may be gone
        // before the probe reads it.
        string read = Path.Combine(_folder.Path, "read-seen");
        string written = Path.Combine(_folder.Path, "write-seen");
        string seen = Path.Combine(_folder.Path, "rename-seen");
        Process shell = Start(
            $"""
            exec /usr/bin/python3 -c '
            import os, subprocess, time
            def wait_for(path):
                while not os.path.exists(path):
                    time.sleep(0.02)
            cat = subprocess.Popen(["cat", "{key}", "{unwatched}"], stdout=subprocess.DEVNULL)
            wait_for("{read}")
            if cat.wait() != 0:
                exit(1)
            with open("{key}", "a") as key:
                key.write("more")
            wait_for("{written}")
            mv = subprocess.Popen(["mv", "{key}", "{stolen}"])
            wait_for("{seen}")
            exit(mv.wait())'
            """);
        await Eventually.TrueAsync(() => OpensOf(key).Length >= 1, "the read", describe: () => string.Join("; ", _sink.Events.Where(e => e.File is not null).Select(e => $"{e.Name} {e.Process?.Name} {e.File!.Path} {e.File.Flags}")));
        File.WriteAllText(read, "");
        await Eventually.TrueAsync(() => OpensOf(key).Length >= 2, "the write", describe: () => string.Join("; ", _sink.Events.Where(e => e.File is not null).Select(e => $"{e.Name} {e.Process?.Name} {e.File!.Path} {e.File.Flags}")));
        File.WriteAllText(written, "");
        await Eventually.TrueAsync(() => _sink.Events.Any(e => e.Name == EventNames.FileRename), "the rename event; log: " + string.Join("\n", _logs.Lines));
        File.WriteAllText(seen, "");
        await shell.WaitForExitAsync();
        Assert.True(shell.ExitCode == 0, await shell.StandardError.ReadToEndAsync());

        SecurityEvent rename = _sink.Events.Single(e => e.Name == EventNames.FileRename);
        Assert.Equal(key, rename.File!.OldPath);
        Assert.Equal(stolen, rename.File.NewPath);
        Assert.Equal("mv", rename.Process!.Name);
        SecurityEvent[] opens = OpensOf(key);
        Assert.Equal(OpenFlags.ReadOnly, opens[0].File!.Flags); // cat reads
        Assert.Equal("cat", opens[0].Process!.Name);
        Assert.Equal(OpenFlags.WriteOnly, opens[1].File!.Flags); // the append writes and never reads
        Assert.Empty(OpensOf("elsewhere.key"));
        Assert.Equal(EventOrigin.Host, opens[0].Origin);

        IReadOnlyList<Finding> findings = FindingsOf("TRC-1018");
        Assert.Equal(2, findings.Count);
        Assert.Equal(EventNames.FileOpen, findings[0].Event.Name);
        Assert.Equal(EventNames.FileRename, findings[1].Event.Name);
    }

    [Fact]
    public async Task PkiFolder_ReadFromANamedSecondThread_IsTheProcesssRead()
    {
        // Multi-threaded programs (Go tools such as kubectl, for one) open files from any thread: the event names
        // the thread's process, by its main thread's name, not the worker's own.
        string key = PkiKey();
        await StartProbeAsync();

        Process python = Start(
            $"""
            exec /usr/bin/python3 -c '
            import threading, time
            def work():
                with open("/proc/thread-self/comm", "w") as comm:
                    comm.write("sigs-worker")
                open("{key}").read()
            worker = threading.Thread(target=work)
            worker.start()
            worker.join()
            time.sleep(30)'
            """);
        await Eventually.TrueAsync(() => OpensOf(key).Length >= 1, "the read");
        python.Kill();
        await python.WaitForExitAsync();

        SecurityEvent open = Assert.Single(OpensOf(key));
        Assert.Equal(python.Id, open.Process!.HostPid);
        Assert.Equal("python3", open.Process.Name);
        Assert.Equal(OpenFlags.ReadOnly, open.File!.Flags);
        Assert.Single(FindingsOf("TRC-1018"));
    }

    [Fact]
    public async Task AFloodOfWatchedReads_HidesNoOtherRead()
    {
        // A pod floods a watched file of its own (64 threads reading its token in a loop, by a name on TRC-1018's
        // allow list, so the flood raises nothing) while another process reads the PKI key 100 times. Every one of
        // those reads is reported: events wait in the kernel's queue, the flood's merge into one per file there.
        string key = PkiKey();
        string noise = PkiKey();
        NativeFeed feed = await StartProbeAsync();
        string stopFlood = Path.Combine(_folder.Path, "stop-flood");
        Process flood = Start(
            $"""
            exec /usr/bin/python3 -c '
            import os, threading
            with open("/proc/self/comm", "w") as comm:
                comm.write("kube-apiserver")
            def read():
                while not os.path.exists("{stopFlood}"):
                    fd = os.open("{noise}", os.O_RDONLY)
                    os.read(fd, 64)
                    os.close(fd)
            threads = [threading.Thread(target=read) for _ in range(64)]
            [t.start() for t in threads]
            [t.join() for t in threads]'
            """);
        await Eventually.TrueAsync(() => OpensOf(noise).Length > 0, "the flood to start");

        await RunAsync($"for i in $(seq 100); do cat {key} > /dev/null; done");
        await Eventually.TrueAsync(() => OpensOf(key).Select(e => e.Process!.HostPid).Distinct().Count() >= 100, "all 100 reads", describe: () => $"{OpensOf(key).Length} reads seen, {feed.Files!.QueueOverflows} overflows");
        File.WriteAllText(stopFlood, "");
        await flood.WaitForExitAsync();

        Assert.Equal(100, OpensOf(key).Length);
        Assert.All(OpensOf(key), open => Assert.Equal(OpenFlags.ReadOnly, open.File!.Flags));
        Assert.Equal(0, feed.Files!.QueueOverflows);
        Assert.Equal(100, FindingsOf("TRC-1018").Count(f => f.Event.File!.Path == key));
    }

    private const string ServiceAccountFolder = "/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>
    /// A "pod" in a mount namespace of its own whose token volume is its own tmpfs (as a projected volume is):
    /// touches <paramref name="ready"/> once mounted, then runs <paramref name="then"/> (no single quotes in it).
    /// </summary>
    private Process StartPodWithTokenVolume(string ready, string then) => Start(
        $"""
        exec unshare -m --propagation private sh -c '
          mount -t tmpfs sigs-test /run &&
          mkdir -p {ServiceAccountFolder} &&
          mount -t tmpfs -o size=1m sigs-test-token {ServiceAccountFolder} &&
          echo eyJhbGciOi.test > {ServiceAccountFolder}/token && chmod 644 {ServiceAccountFolder}/token &&
          touch {ready} &&
          {then}'
        """);

    [Fact]
    public async Task AReadFromACopiedMountNamespaceWithoutExec_IsSeen()
    {
        // A pod's service-account volume is its own tmpfs. A process copies its mount namespace
        // (unshare(CLONE_NEWUSER | CLONE_NEWNS), as nobody) and reads the token through the copy, without an exec:
        // the filesystem mark covers every mount of that tmpfs, copies included.
        string ready = Path.Combine(_folder.Path, "ready");
        string go = Path.Combine(_folder.Path, "go");
        string reader = _folder.File("read-token.py", $$"""
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(0x10000000 | 0x00020000) != 0:  # CLONE_NEWUSER | CLONE_NEWNS
                raise OSError(ctypes.get_errno(), "unshare")
            with open("{{ServiceAccountFolder}}/token") as token:
                token.read()
            """);
        File.SetUnixFileMode(_folder.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        NativeFeed feed = await StartProbeAsync();
        long filesystemMarks = feed.Files!.Marks.FilesystemMarks;
        Process pod = StartPodWithTokenVolume(ready, $"while [ ! -e {go} ]; do sleep 0.05; done && exec setpriv --reuid 65534 --regid 65534 --clear-groups /usr/bin/python3 {reader}");
        await Eventually.TrueAsync(() => File.Exists(ready), "the pod's mounts");
        await Eventually.TrueAsync(() => feed.Files!.Marks.FilesystemMarks > filesystemMarks, "the probe to mark the token's filesystem");
        File.WriteAllText(go, "");
        await pod.WaitForExitAsync();
        Assert.True(pod.ExitCode == 0, await pod.StandardError.ReadToEndAsync());

        await Eventually.TrueAsync(() => OpensOf("/serviceaccount/token").Any(e => e.Process!.HostPid == pod.Id), "the read in the copied namespace", describe: () => string.Join("; ", OpensOf("token").Select(e => $"{e.Process?.HostPid} {e.File!.Path}")));
        SecurityEvent read = OpensOf("/serviceaccount/token").First(e => e.Process!.HostPid == pod.Id);
        Assert.Equal(OpenFlags.ReadOnly, read.File!.Flags);
        Assert.Equal(65534u, read.Process!.Uid);
    }

    [Fact]
    public async Task AReadThroughAMountWhoseNamespaceIsGone_IsReportedUnderTheWatchedFolder()
    {
        // A pod's token volume in a namespace its sleeper keeps; a process enters it, makes its own copy of it
        // (unshare -m), reads the token and exits, so its namespace is gone before the probe reads the event (the
        // probe is not reading yet). The kernel then gives the path from the copied mount's root: /token.
        string ready = Path.Combine(_folder.Path, "ready");
        Process holder = StartPodWithTokenVolume(ready, "exec sleep 600");
        await Eventually.TrueAsync(() => File.Exists(ready), "the pod's mounts");
        var events = new CollectingEventSink();
        using var probe = new FileProbe(new WatchPlan([ServiceAccountFolder + "/"], Opens: true, Renames: false), new KnownProcesses(), e => events.TryPublishAll([e]), new FeedCounters(), _ => { });
        Assert.True(probe.Marks.Watches(holder.Id, ServiceAccountFolder + "/"));

        await RunAsync($"nsenter -t {holder.Id} -m -- unshare -m --propagation private sh -c 'cat {ServiceAccountFolder}/token > /dev/null'");
        using var stop = new CancellationTokenSource();
        Task running = probe.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => events.Events.Any(e => e.Name == EventNames.FileOpen), "the read");
        await stop.CancelAsync();
        await running;

        Assert.Equal($"{ServiceAccountFolder}/token", Assert.Single(events.Events).File!.Path);
    }

    [Fact]
    public async Task AProbeThatDoesNotRead_NeverMakesAnOpenerWait_AndReportsTheOpensOnceItReads()
    {
        // As good as a stopped Sigs (SIGSTOP, a frozen cgroup, a debugger): the marks are placed, nobody reads.
        string key = PkiKey();
        var events = new CollectingEventSink();
        var counters = new FeedCounters();
        using var probe = new FileProbe(new WatchPlan(["/etc/kubernetes/pki/"], Opens: true, Renames: true), new KnownProcesses(), e => events.TryPublishAll([e]), counters, _ => { });

        Process reads = Start($"for i in 1 2 3 4 5; do cat {key} > /dev/null; done; mv {key} {key}.moved; mv {key}.moved {key}");
        // Only a failure waits this long: with permission events the first cat would block for good.
        Task exited = reads.WaitForExitAsync();
        Assert.Same(exited, await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMinutes(2))));
        Assert.Equal(0, reads.ExitCode);
        Assert.Empty(events.Events);

        using var stop = new CancellationTokenSource();
        Task running = probe.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => events.Events.Count(e => e.Name == EventNames.FileOpen && e.File!.Path == key) == 5 && events.Events.Count(e => e.Name == EventNames.FileRename) == 2, "the queued opens and renames");
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task EventsTheFullEngineQueueRefuses_AreCounted_AndSayDetectionIsDegraded()
    {
        string key = PkiKey();
        NativeFeed feed = await StartProbeAsync();
        Assert.Null(feed.Counters.Degraded);
        _sink.Full = true;
        long rejectedBefore = feed.Counters.Rejected;

        await RunAsync($"for i in 1 2 3 4 5 6 7 8 9 10; do cat {key} > /dev/null; done");

        await Eventually.TrueAsync(() => feed.Counters.Rejected - rejectedBefore >= 10, "the dropped events to be counted");
        await Eventually.TrueAsync(() => feed.Counters.Degraded is not null, "detection to be reported degraded");
        Assert.Contains("refused by the full engine queue", feed.Counters.Degraded, StringComparison.Ordinal);
    }
}
