using System.Diagnostics;
using Sigs.Host.Configuration;
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
        NativeFeed feed = await StartProbeAsync();
        long mountMarks = feed.Files!.Marks.MountMarks;

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
              script -qc "cat {Token}" /dev/null > /dev/null &&
              cat {Token} > /dev/null'
            """,
            new Dictionary<string, string> { ["HOSTNAME"] = "payments-api-7d9f" });

        await Eventually.TrueAsync(() => File.Exists(ready), "the container's mounts");
        await Eventually.TrueAsync(() => feed.Files!.Marks.MountMarks > mountMarks, "the probe to mark the container's service-account mount");
        await Eventually.TrueAsync(() => feed.PodOf(PodUid)?.Complete == true, "the pod's names");
        File.WriteAllText(go, "");
        await container.WaitForExitAsync();
        Assert.Equal(0, container.ExitCode);
        await Eventually.TrueAsync(() => OpensOf("/secrets/kubernetes.io/serviceaccount/token").Length >= 2, "both token reads");

        SecurityEvent[] reads = OpensOf("/secrets/kubernetes.io/serviceaccount/token");
        Assert.All(reads, read =>
        {
            Assert.Equal(EventOrigin.Container, read.Origin);
            Assert.Equal(ContainerId, read.Container!.Id);
            Assert.Equal(PodUid, read.Kubernetes!.PodUid);
            Assert.Equal("payments", read.Kubernetes.Namespace);
            Assert.Equal("payments-api-7d9f", read.Kubernetes.PodName);
            Assert.Equal("cat", read.Process!.Name);
            Assert.Equal(0, read.File!.Flags);
            Assert.DoesNotContain(_folder.Path, read.File.Path, StringComparison.Ordinal);
        });
        Assert.Equal([true, false], reads.Select(r => r.Process!.Interactive == true));

        // The exec of cat with the token in its arguments fires too; the read without a terminal does not.
        IReadOnlyList<Finding> findings = FindingsOf("SIGS-1002");
        Assert.All(findings, f => Assert.True(f.Event.Process!.Interactive));
        Finding finding = Assert.Single(findings, f => f.Event.Name == EventNames.FileOpen);
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

        // A read, then an append and at once a rename (the path must be read before the opener is let go). `mv` is
        // left unreaped (a zombie keeps its /proc stat and comm) until the rename has been seen: on a busy machine a
        // process reaped within a millisecond of its exec may be gone before the probe reads it (docs/feeds.md).
        string seen = Path.Combine(_folder.Path, "rename-seen");
        Process shell = Start(
            $"""
            cat {key} {unwatched} > /dev/null && exec /usr/bin/python3 -c '
            import os, subprocess, time
            with open("{key}", "a") as key:
                key.write("more")
            mv = subprocess.Popen(["mv", "{key}", "{stolen}"])
            while not os.path.exists("{seen}"):
                time.sleep(0.02)
            exit(mv.wait())'
            """);
        await Eventually.TrueAsync(() => _sink.Events.Any(e => e.Name == EventNames.FileRename), "the rename event; log: " + string.Join("\n", _logs.Lines));
        File.WriteAllText(seen, "");
        await shell.WaitForExitAsync();
        Assert.True(shell.ExitCode == 0, await shell.StandardError.ReadToEndAsync());
        await Eventually.TrueAsync(() => OpensOf(key).Length >= 2, "the read and the write", describe: () => string.Join("; ", _sink.Events.Where(e => e.File is not null).Select(e => $"{e.Name} {e.Process?.Name} {e.File!.Path} {e.File.Flags}")));

        SecurityEvent rename = _sink.Events.Single(e => e.Name == EventNames.FileRename);
        Assert.Equal(key, rename.File!.OldPath);
        Assert.Equal(stolen, rename.File.NewPath);
        Assert.Equal("mv", rename.Process!.Name);
        SecurityEvent[] opens = OpensOf(key);
        Assert.Equal(0, opens[0].File!.Flags); // cat: O_RDONLY
        Assert.Equal(OpenFlags.WriteOnly, opens[1].File!.Flags & 3); // append: O_WRONLY | O_CREAT | O_APPEND
        Assert.Empty(OpensOf("elsewhere.key"));
        Assert.Equal(EventOrigin.Host, opens[0].Origin);

        IReadOnlyList<Finding> findings = FindingsOf("TRC-1018");
        Assert.Equal(2, findings.Count);
        Assert.Equal(EventNames.FileOpen, findings[0].Event.Name);
        Assert.Equal(EventNames.FileRename, findings[1].Event.Name);
    }

    [Fact]
    public async Task PkiFolder_ReadAndWriteFromANamedSecondThread_ReportTheirFlagsAndTheProcess()
    {
        // Multi-threaded programs (Go tools such as kubectl, for one) open files from any thread: the flags must
        // come from the thread blocked in open, not the main thread (here blocked in join), and the process must be
        // the thread's process, named by its main thread, not the worker's own name.
        string key = PkiKey();
        await StartProbeAsync();

        Process python = Start(
            $"""
            exec /usr/bin/python3 -c '
            import threading
            def work():
                with open("/proc/thread-self/comm", "w") as comm:
                    comm.write("sigs-worker")
                open("{key}").read()
                open("{key}", "a").write("more")
            worker = threading.Thread(target=work)
            worker.start()
            worker.join()'
            """);
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, await python.StandardError.ReadToEndAsync());
        await Eventually.TrueAsync(() => OpensOf(key).Length >= 2, "the read and the write", describe: () => string.Join("; ", OpensOf(key).Select(e => $"{e.Process?.Name} {e.File!.Flags}")));

        SecurityEvent[] opens = OpensOf(key);
        Assert.All(opens, open =>
        {
            Assert.Equal(python.Id, open.Process!.HostPid);
            Assert.Equal("python3", open.Process.Name);
        });
        Assert.Equal(OpenFlags.ReadOnly, opens[0].File!.Flags & 3);
        Assert.Equal(OpenFlags.WriteOnly, opens[1].File!.Flags & 3);
        Assert.Single(FindingsOf("TRC-1018"));
    }

    [Fact]
    public async Task EveryPermissionEventIsAllowed_EvenWhenTheEngineQueueIsFull()
    {
        string key = PkiKey();
        NativeFeed feed = await StartProbeAsync();
        _sink.Full = true;
        long rejectedBefore = feed.Counters.Rejected;

        await RunAsync($"for i in 1 2 3 4 5 6 7 8 9 10; do cat {key} > /dev/null; done");

        Assert.True(feed.Files!.Allowed >= 10, $"allowed {feed.Files.Allowed}");
        await Eventually.TrueAsync(() => feed.Counters.Rejected - rejectedBefore >= 10, "the dropped events to be counted");
    }
}
