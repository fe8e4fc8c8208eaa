using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.Falco.Proto;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Grpc;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Conformance;

/// <summary>
/// Falco alerts in every variant a rule's output and Falco's transports produce: fields as JSON numbers or as
/// text (<c>http_output</c> and <c>json_output</c> lines), as the gRPC output's string map (through a real
/// Grpc.AspNetCore server), flags as names, as the raw number or as Falco's <c>NUMBER(NAMES)</c>, argv from
/// <c>proc.exe</c> + <c>proc.args</c>, <c>proc.cmdline</c> or <c>proc.exeline</c>. Each variant must give the case's findings.
/// </summary>
public sealed class FalcoConformanceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Dictionary<string, object> Common(bool container) => new()
    {
        ["proc.pid"] = 7101,
        ["proc.vpid"] = 12,
        ["proc.ppid"] = 7000,
        ["user.uid"] = 0,
        ["container.id"] = container ? "9e8d7c6b5a4f" : "host",
        ["container.name"] = container ? "web" : "host",
    };

    private static Dictionary<string, object> With(Dictionary<string, object> fields, params (string Name, object Value)[] more)
    {
        foreach ((string name, object value) in more)
        {
            fields[name] = value;
        }

        return fields;
    }

    /// <summary>Each case: the output-field variants of one alert, and the findings each must give.</summary>
    private static readonly Dictionary<string, (Dictionary<string, object>[] Variants, string[] Findings)> Cases = new()
    {
        ["interactive kubelet PKI read in a container"] = (
            [
                With(Common(true), ("evt.type", "openat"), ("proc.name", "head"), ("proc.tty", 34816), ("fd.name", "/var/lib/kubelet/pki/kubelet.crt"), ("evt.arg.flags", "O_RDONLY")),
                With(Common(true), ("evt.type", "openat"), ("proc.name", "head"), ("proc.tty", 34816), ("fd.name", "/var/lib/kubelet/pki/kubelet.crt"), ("evt.arg.flags", "524288(O_RDONLY|O_CLOEXEC)")),
                With(Common(true), ("evt.type", "open"), ("proc.name", "head"), ("proc.tty", 34816), ("fd.name", "/var/lib/kubelet/pki/kubelet.crt"), ("evt.rawarg.flags", 0)),
            ],
            ["SIGS-1001 security_file_open"]),
        ["the same read without a terminal"] = (
            [
                With(Common(true), ("evt.type", "openat"), ("proc.name", "head"), ("proc.tty", 0), ("fd.name", "/var/lib/kubelet/pki/kubelet.crt"), ("evt.arg.flags", "O_RDONLY")),
            ],
            []),
        ["credential path in a command's arguments"] = (
            [
                With(Common(false), ("evt.type", "execve"), ("proc.name", "cat"), ("proc.tty", 34817), ("proc.exe", "/usr/bin/cat"), ("proc.args", "/root/.aws/credentials")),
                With(Common(false), ("evt.type", "execve"), ("proc.name", "cat"), ("proc.tty", 34817), ("proc.cmdline", "cat /root/.aws/credentials")),
                With(Common(false), ("evt.type", "execve"), ("proc.name", "cat"), ("proc.tty", 34817), ("proc.exeline", "cat /root/.aws/credentials")),
                With(Common(false), ("evt.type", "execve"), ("proc.name", "cat"), ("proc.tty", 34817), ("proc.args", "/root/.aws/credentials")),
            ],
            ["SIGS-1004 sched_process_exec"]),
        ["rename out of the control-plane PKI"] = (
            [
                With(Common(false), ("evt.type", "renameat2"), ("proc.name", "mv"), ("fs.path.source", "/etc/kubernetes/pki/sa.key"), ("fs.path.target", "/tmp/sa.key")),
                With(Common(false), ("evt.type", "rename"), ("proc.name", "mv"), ("evt.arg.oldpath", "/etc/kubernetes/pki/sa.key"), ("evt.arg.newpath", "/tmp/sa.key")),
            ],
            ["TRC-1018 security_inode_rename"]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task EveryVariant_GivesTheCasesFindings(string name)
    {
        (Dictionary<string, object>[] variants, string[] expected) = Cases[name];
        foreach (Dictionary<string, object> fields in variants)
        {
            string variant = string.Join(",", fields.Keys.Where(k => k.StartsWith("proc.", StringComparison.Ordinal) || k.StartsWith("evt.", StringComparison.Ordinal)));
            Assert.Equal(expected, Findings(DecodeJson(Json(fields, numbersAsText: false))));
            Assert.Equal(expected, Findings(DecodeJson(Json(fields, numbersAsText: true))));
            SecurityEvent streamed = await StreamAsync(fields);
            Assert.True(expected.SequenceEqual(Findings(streamed)), $"gRPC, {variant}");
        }
    }

    private static string Json(Dictionary<string, object> fields, bool numbersAsText)
    {
        var output = new JsonObject();
        foreach ((string key, object value) in fields)
        {
            output[key] = value is int number && !numbersAsText ? JsonValue.Create(number) : JsonValue.Create(Text(value));
        }

        return new JsonObject
        {
            ["hostname"] = "node-2",
            ["output"] = "an alert",
            ["priority"] = "Warning",
            ["rule"] = "Sigs rule",
            ["source"] = "syscall",
            ["time"] = "2025-11-02T10:00:10.000000000Z",
            ["output_fields"] = output,
        }.ToJsonString();
    }

    private static string Text(object value) => Convert.ToString(value, CultureInfo.InvariantCulture)!;

    private static SecurityEvent DecodeJson(string json)
    {
        DecodedInput decoded = JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(json));
        Assert.Equal(InputFormat.FalcoAlert, decoded.Format);
        return Assert.Single(decoded.Events);
    }

    /// <summary>The alert through <c>FalcoGrpcFeed</c> from a real Falco output service.</summary>
    private async Task<SecurityEvent> StreamAsync(Dictionary<string, object> fields)
    {
        var alert = new response
        {
            Time = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 11, 2, 10, 0, 10, TimeSpan.Zero)),
            Priority = priority.Warning,
            Rule = "Sigs rule",
            Hostname = "node-2",
            Source = "syscall",
        };
        foreach ((string key, object value) in fields)
        {
            alert.OutputFields[key] = Text(value);
        }

        string socket = Path.Combine(_folder.Path, $"falco-{Guid.NewGuid():N}.sock");
        await using GrpcSensor server = await GrpcSensor.StartAsync(socket, new FalcoSensor(_ => alert));
        var sink = new CollectingEventSink();
        using var stop = new CancellationTokenSource();
        var feed = new FalcoGrpcFeed(GrpcChannels.Create(GrpcAddress.Parse($"unix:{socket}", useTls: false)), socket, new CapturingLoggerFactory().CreateLogger("falco"), ReconnectDelays.Default);
        Task running = feed.RunAsync(sink, stop.Token);
        await sink.WaitForCountAsync(1);
        await stop.CancelAsync();
        await running;
        return sink.Events[0];
    }

    private static string[] Findings(SecurityEvent e)
    {
        var output = new CollectingOutput();
        using var runtime = new DetectionPipeline(new SigsConfig(), new PipelineSignatures.Folder(RepoPaths.ShippedPlugins), [output], new CapturingLoggerFactory(), TimeProvider.System);
        runtime.Process(e);
        runtime.Findings.Flush();
        return [.. output.Findings.Select(f => $"{f.Signature.Id} {f.Event.Name}")];
    }
}
