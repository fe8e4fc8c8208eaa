using System.Text;
using System.Text.Json;
using Grpc.Net.Client;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Contract;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Feeds.Tracee;
using Sigs.Host.Grpc;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Conformance;

/// <summary>
/// Tracee as it really runs: each case is sent in every form Sigs accepts (legacy JSON, Tracee's v1beta1 JSON,
/// protojson in both spellings, and the gRPC stream through a real Grpc.AspNetCore server on a unix socket),
/// raw (Tracee's default) and parsed (<c>--output option:parse-arguments</c>). Every form must give the same
/// contract events and exactly the findings the case names. A new form or field is one new row.
/// </summary>
public sealed class TraceeConformanceTests : IDisposable
{
    private const string Container = "3f2a9c8e1b7d";
    private const string Terminal = "/dev/pts/0";
    private const int CharacterDeviceMode = 0x2000 | 0x190; // S_IFCHR | 0620, a pty
    private const int NullDeviceMode = 0x2000 | 0x1B6; // S_IFCHR | 0666, /dev/null
    private const int PipeMode = 0x1000 | 0x180; // S_IFIFO | 0600

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static TraceeArg Stdin(int mode, string parsed) => new("stdin_type", TraceeArgType.UInt16, mode, parsed);

    private static TraceeArg Flags(int flags, string parsed) => new("flags", TraceeArgType.Int32, flags, parsed);

    private static TraceeArg Str(string name, string value) => new(name, TraceeArgType.Str, value);

    private static TraceeCall Exec(int second, uint pid, string[] argv, TraceeArg stdinType, string stdinPath, string? pod = "web-7") =>
        new(EventNames.ProcessExec, second, pid, Path.GetFileName(argv[0]), "/usr/bin/" + Path.GetFileName(argv[0]), Container, pod,
        [
            Str("pathname", "/usr/bin/" + Path.GetFileName(argv[0])),
            new("argv", TraceeArgType.StrArray, argv),
            stdinType,
            Str("stdin_path", stdinPath),
            new("invoked_from_kernel", TraceeArgType.Int32, 0),
        ]);

    private static TraceeCall Open(int second, uint pid, string comm, string path, TraceeArg flags, string? container = Container, string? pod = "web-7") =>
        new(EventNames.FileOpen, second, pid, comm, "/usr/bin/" + comm, container, pod, [Str("pathname", path), flags, new("dev", TraceeArgType.UInt16, 2049)]);

    private static TraceeCall Rename(int second, uint pid, string oldPath, string newPath) =>
        new(EventNames.FileRename, second, pid, "mv", "/usr/bin/mv", null, null, [Str("old_path", oldPath), Str("new_path", newPath)]);

    private static TraceeCall Exit(int second, uint pid) =>
        new(EventNames.ProcessExit, second, pid, "cat", "/usr/bin/cat", Container, "web-7", [new("exit_code", TraceeArgType.Int64, 0), new("process_group_exit", TraceeArgType.Int32, 1)]);

    /// <summary>The API server's answer to a request authenticated as pod web-7, 20 s after the start.</summary>
    private const string AuditOfPod = """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/secrets","verb":"list","user":{"username":"system:serviceaccount:shop:web","extra":{"authentication.kubernetes.io/pod-name":["web-7"]}},"responseStatus":{"code":200},"requestReceivedTimestamp":"2025-11-02T10:00:20.000000000Z","stageTimestamp":"2025-11-02T10:00:20.010000000Z"}
        """;

    /// <summary>Each case: the events Tracee sends, whether the audit answer follows, and the findings (signature, event) expected.</summary>
    private static readonly Dictionary<string, (TraceeCall[] Calls, bool Audit, string[] Findings)> Cases = new()
    {
        ["interactive kubelet PKI reader"] = (
            [
                Exec(1, 100, ["cat", "/var/lib/kubelet/pki/kubelet-client-current.pem"], Stdin(CharacterDeviceMode, "S_IFCHR|S_IRUSR|S_IWUSR|S_IWGRP"), Terminal),
                Open(2, 100, "cat", "/var/lib/kubelet/pki/kubelet-client-current.pem", Flags(0x8000, "O_RDONLY|O_LARGEFILE")),
                Exit(3, 100),
            ],
            false,
            ["SIGS-1004 sched_process_exec", "SIGS-1001 sched_process_exec", "SIGS-1001 security_file_open"]),
        ["stdin is /dev/null: a character device, no terminal"] = (
            [
                Exec(1, 101, ["cat", "/var/lib/kubelet/pki/kubelet.crt"], Stdin(NullDeviceMode, "S_IFCHR|S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|S_IROTH|S_IWOTH"), "/dev/null"),
                Open(2, 101, "cat", "/var/lib/kubelet/pki/kubelet.crt", Flags(0, "O_RDONLY")),
            ],
            false,
            []),
        ["stdin is a pipe"] = (
            [
                Exec(1, 102, ["cat", "/var/lib/kubelet/pki/kubelet.crt"], Stdin(PipeMode, "S_IFIFO|S_IRUSR|S_IWUSR"), "pipe:[48213]"),
                Open(2, 102, "cat", "/var/lib/kubelet/pki/kubelet.crt", Flags(0, "O_RDONLY")),
            ],
            false,
            []),
        ["service-account token read, then an API request from the pod"] = (
            [
                Exec(1, 103, ["sh"], Stdin(CharacterDeviceMode, "S_IFCHR|S_IRUSR|S_IWUSR|S_IWGRP"), Terminal),
                Open(2, 103, "sh", "/var/run/secrets/kubernetes.io/serviceaccount/..data/token", Flags(0x88000, "O_RDONLY|O_LARGEFILE|O_CLOEXEC")),
            ],
            true,
            ["SIGS-1002 security_file_open", "SIGS-1003 k8s_audit"]),
        ["control-plane PKI: read, write-only open, rename out"] = (
            [
                Open(1, 104, "cat", "/etc/kubernetes/pki/apiserver.key", Flags(0, "O_RDONLY"), container: null, pod: null),
                Open(2, 104, "cat", "/etc/kubernetes/pki/apiserver.key", Flags(0x241, "O_WRONLY|O_CREAT|O_TRUNC"), container: null, pod: null),
                Open(3, 105, "kubelet", "/etc/kubernetes/pki/ca.crt", Flags(0x80000, "O_RDONLY|O_CLOEXEC"), container: null, pod: null),
                Rename(4, 106, "/etc/kubernetes/pki/sa.key", "/tmp/.x/sa.key"),
            ],
            false,
            ["TRC-1018 security_file_open", "TRC-1018 security_inode_rename"]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task EveryForm_RawOrParsed_GivesTheSameEventsAndTheCasesFindings(string name)
    {
        (TraceeCall[] calls, bool audit, string[] expected) = Cases[name];
        var results = new Dictionary<string, (string[] Events, string[] Findings)>();
        foreach (bool parsed in new[] { false, true })
        {
            foreach (TraceeForm form in Enum.GetValues<TraceeForm>())
            {
                IReadOnlyList<SecurityEvent> events = form == TraceeForm.Grpc
                    ? await StreamAsync(calls, parsed)
                    : [.. calls.Select(call => DecodeJson(TraceeForms.Json(call, form, parsed)))];
                Assert.All(events, e => Assert.Equal(EventSources.Tracee, e.Source));
                results[$"{form} {(parsed ? "parsed" : "raw")}"] = ([.. events.Select(Comparable)], Findings(events, audit));
            }
        }

        Assert.All(results, result =>
        {
            Assert.True(expected.SequenceEqual(result.Value.Findings), $"{result.Key}: findings [{string.Join(", ", result.Value.Findings)}], expected [{string.Join(", ", expected)}]");
            Assert.True(results.First().Value.Events.SequenceEqual(result.Value.Events), $"{result.Key} gave other events than {results.First().Key}:\n{string.Join('\n', result.Value.Events)}\nagainst\n{string.Join('\n', results.First().Value.Events)}");
        });
    }

    [Fact]
    public void RawForms_AreWhatTraceeSendsByDefault_NumbersForModesAndFlags()
    {
        TraceeCall exec = Cases["interactive kubelet PKI reader"].Calls[0];

        Assert.Contains("\"type\":\"uint16\",\"value\":8592", TraceeForms.Json(exec, TraceeForm.LegacyJson, parsed: false), StringComparison.Ordinal);
        Assert.Contains("\"uInt32\": 8592", TraceeForms.Json(exec, TraceeForm.ProtoJsonCamelCase, parsed: false), StringComparison.Ordinal);
        Assert.Contains("\"u_int32\": 8592", TraceeForms.Json(exec, TraceeForm.ProtoJsonSnakeCase, parsed: false), StringComparison.Ordinal);
        Assert.Equal(8592u, TraceeForms.Proto(exec, parsed: false).Data.Single(d => d.Name == "stdin_type").UInt32);
    }

    private static SecurityEvent DecodeJson(string json)
    {
        DecodedInput decoded = JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(json));
        Assert.Empty(decoded.Problems);
        return Assert.Single(decoded.Events);
    }

    /// <summary>The events through <c>TraceeGrpcFeed</c> from a real gRPC server.</summary>
    private async Task<IReadOnlyList<SecurityEvent>> StreamAsync(TraceeCall[] calls, bool parsed)
    {
        string socket = Path.Combine(_folder.Path, $"tracee-{Guid.NewGuid():N}.sock");
        await using GrpcSensor server = await GrpcSensor.StartAsync(socket, new TraceeSensor().ThenSend([.. calls.Select(call => TraceeForms.Proto(call, parsed))]));
        var sink = new CollectingEventSink();
        using var stop = new CancellationTokenSource();
        var logs = new CapturingLoggerFactory();
        GrpcChannel channel = GrpcChannels.Create(GrpcAddress.Parse($"unix:{socket}", useTls: false));
        var feed = new TraceeGrpcFeed(channel, $"unix:{socket}", [], logs.CreateLogger("tracee"), ReconnectDelays.Default);
        Task running = feed.RunAsync(sink, stop.Token);
        await sink.WaitForCountAsync(calls.Length);
        await stop.CancelAsync();
        await running;
        return sink.Events;
    }

    /// <summary>The findings the shipped signatures give for the events (and the audit answer), as "ID event".</summary>
    private static string[] Findings(IReadOnlyList<SecurityEvent> events, bool audit)
    {
        var output = new CollectingOutput();
        using var runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [output], new CapturingLoggerFactory(), TimeProvider.System);
        foreach (SecurityEvent e in audit ? [.. events, DecodeJson(AuditOfPod)] : events)
        {
            runtime.Process(e);
        }

        runtime.Findings.Flush();
        return [.. output.Findings.Select(f => $"{f.Signature.Id} {f.Event.Name}")];
    }

    /// <summary>An event in contract JSON without the source's own argument map (whose text differs by form by design).</summary>
    private static string Comparable(SecurityEvent e) =>
        JsonSerializer.Serialize(e with { Arguments = new Dictionary<string, string>() }, ContractJson.Options);
}
