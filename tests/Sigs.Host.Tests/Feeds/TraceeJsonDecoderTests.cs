using Sigs.Host.Feeds.Files;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Tracee;
using Sigs.Plugins;
using static Sigs.Host.Tests.Feeds.DecodeHelper;

namespace Sigs.Host.Tests.Feeds;

[Collection(Sigs.Host.Tests.Feeds.DecoderCountersCollection.Name)]
public class TraceeJsonDecoderTests
{
    private const string LegacyOpen = """
        {"timestamp":1762077601000000000,"processId":7,"hostProcessId":4101,"hostParentProcessId":4000,"userId":0,"processName":"cat",
         "executable":{"path":"/usr/bin/cat"},"hostName":"node-1","containerId":"abc123","container":{"id":"abc123","name":"web","image":"nginx:1"},
         "kubernetes":{"podName":"web-1","podNamespace":"shop","podUID":"uid-1"},"eventId":"1031","eventName":"security_file_open",
         "processEntityId":9001,"args":[{"name":"pathname","type":"const char*","value":"/etc/kubernetes/pki/ca.key"},
         {"name":"flags","type":"int","value":"O_RDONLY|O_LARGEFILE"}]}
        """;

    [Fact]
    public void DecodeLegacy_FileOpenWithFlagNames_MapsEveryContractPart()
    {
        SecurityEvent e = Single(LegacyOpen, InputFormat.TraceeLegacyJson);

        Assert.Equal(EventSources.Tracee, e.Source);
        Assert.Equal(EventNames.FileOpen, e.Name);
        Assert.Equal(DateTimeOffset.Parse("2025-11-02T10:00:01Z", System.Globalization.CultureInfo.InvariantCulture), e.Time);
        Assert.Equal(EventOrigin.Container, e.Origin);
        Assert.Equal("node-1", e.HostName);
        Assert.Equal(7, e.Process!.Pid);
        Assert.Equal(4101, e.Process.HostPid);
        Assert.Equal(4000, e.Process.ParentPid);
        Assert.Equal(9001UL, e.Process.EntityId);
        Assert.Equal("cat", e.Process.Name);
        Assert.Equal("/usr/bin/cat", e.Process.Executable);
        Assert.Null(e.Process.Args);
        Assert.Null(e.Process.Interactive);
        Assert.Equal(new ContainerInfo { Id = "abc123", Name = "web", Image = "nginx:1" }, e.Container);
        Assert.Equal(new KubernetesInfo { PodName = "web-1", Namespace = "shop", PodUid = "uid-1" }, e.Kubernetes);
        Assert.Equal("/etc/kubernetes/pki/ca.key", e.File!.Path);
        Assert.Equal(0x8000, e.File.Flags);
        Assert.Equal("O_RDONLY|O_LARGEFILE", e.Arguments["flags"]);
    }

    [Fact]
    public void DecodeLegacy_TheV012Shape_WithPodAndContainerAtTheTopLevel_KeepsThem()
    {
        // Tracee v0.8 to v0.12 wrote containerImage, containerName, podName, podNamespace and podUID beside containerId.
        const string V012 = """
            {"timestamp":1762077601000000000,"processId":7,"threadId":7,"hostProcessId":4101,"hostThreadId":4101,"hostParentProcessId":4000,
             "userId":0,"mountNamespace":4026532574,"pidNamespace":4026532577,"processName":"cat","hostName":"node-1",
             "containerId":"abc123","containerImage":"nginx:1","containerName":"web","podName":"web-1","podNamespace":"shop","podUID":"uid-1",
             "eventId":"257","eventName":"openat","argsNum":2,"returnValue":3,
             "args":[{"name":"pathname","type":"const char*","value":"/var/run/secrets/kubernetes.io/serviceaccount/token"},{"name":"flags","type":"int","value":"O_RDONLY"}]}
            """;

        SecurityEvent e = Single(V012, InputFormat.TraceeLegacyJson);

        Assert.Equal(new ContainerInfo { Id = "abc123", Name = "web", Image = "nginx:1" }, e.Container);
        Assert.Equal(new KubernetesInfo { PodName = "web-1", Namespace = "shop", PodUid = "uid-1" }, e.Kubernetes);
        Assert.Equal(EventOrigin.Container, e.Origin);
    }

    /// <summary>
    /// One open of a pod's token, as each generation of Tracee's <c>--output json</c> wrote it (the JSON tags of
    /// <c>types/trace/trace.go</c> at each tag, and <c>api/v1beta1/event_json.go</c> after v0.24).
    /// </summary>
    public static TheoryData<string, string> TraceeGenerations => new()
    {
        {
            "v0.8-v0.10: pod and container at the top level", """
            {"timestamp":1762077607500000000,"threadStartTime":1762077600000000000,"processorId":1,"processId":12,"cgroupId":5555,"threadId":12,
             "parentProcessId":1,"hostProcessId":5300,"hostThreadId":5300,"hostParentProcessId":5200,"userId":0,"mountNamespace":4026532500,
             "pidNamespace":4026532501,"processName":"cat","hostName":"web-1","containerId":"c1","containerImage":"nginx:1.27","containerName":"web",
             "podName":"web-1","podNamespace":"shop","podUID":"u1","eventId":"1020","eventName":"security_file_open","argsNum":4,"returnValue":0,
             "stackAddresses":null,"contextFlags":{"containerStarted":true,"isCompat":false},
             "args":[{"name":"pathname","type":"const char*","value":"/var/run/secrets/kubernetes.io/serviceaccount/token"},
                     {"name":"flags","type":"int","value":"O_RDONLY|O_LARGEFILE"},{"name":"dev","type":"dev_t","value":45},{"name":"inode","type":"unsigned long","value":1234}]}
            """
        },
        {
            "v0.11-v0.12: podSandbox, matchedScopes, syscall", """
            {"timestamp":1762077607500000000,"threadStartTime":1762077600000000000,"processorId":1,"processId":12,"cgroupId":5555,"threadId":12,
             "parentProcessId":1,"hostProcessId":5300,"hostThreadId":5300,"hostParentProcessId":5200,"userId":0,"mountNamespace":4026532500,
             "pidNamespace":4026532501,"processName":"cat","hostName":"web-1","containerId":"c1","containerImage":"nginx:1.27","containerName":"web",
             "podName":"web-1","podNamespace":"shop","podUID":"u1","podSandbox":false,"eventId":"1022","eventName":"security_file_open",
             "matchedScopes":1,"argsNum":4,"returnValue":0,"syscall":"openat","stackAddresses":null,"contextFlags":{"containerStarted":true,"isCompat":false},
             "args":[{"name":"pathname","type":"const char*","value":"/var/run/secrets/kubernetes.io/serviceaccount/token"},
                     {"name":"flags","type":"int","value":"O_RDONLY|O_LARGEFILE"},{"name":"dev","type":"dev_t","value":45},{"name":"inode","type":"unsigned long","value":1234}]}
            """
        },
        {
            "v0.13-v0.14: container and kubernetes objects, no containerId", """
            {"timestamp":1762077607500000000,"threadStartTime":1762077600000000000,"processorId":1,"processId":12,"cgroupId":5555,"threadId":12,
             "parentProcessId":1,"hostProcessId":5300,"hostThreadId":5300,"hostParentProcessId":5200,"userId":0,"mountNamespace":4026532500,
             "pidNamespace":4026532501,"processName":"cat","hostName":"web-1",
             "container":{"id":"c1","name":"web","image":"nginx:1.27","imageDigest":"sha256:ab"},
             "kubernetes":{"podName":"web-1","podNamespace":"shop","podUID":"u1"},"eventId":"1024","eventName":"security_file_open",
             "matchedPolicies":["default"],"argsNum":4,"returnValue":0,"syscall":"openat","stackAddresses":null,"contextFlags":{"containerStarted":true,"isCompat":false},
             "args":[{"name":"pathname","type":"const char*","value":"/var/run/secrets/kubernetes.io/serviceaccount/token"},
                     {"name":"flags","type":"int","value":"O_RDONLY|O_LARGEFILE"},{"name":"dev","type":"dev_t","value":45},{"name":"inode","type":"unsigned long","value":1234}]}
            """
        },
        {
            "v0.15-v0.17: containerId beside the objects", """
            {"timestamp":1762077607500000000,"threadStartTime":1762077600000000000,"processorId":1,"processId":12,"cgroupId":5555,"threadId":12,
             "parentProcessId":1,"hostProcessId":5300,"hostThreadId":5300,"hostParentProcessId":5200,"userId":0,"mountNamespace":4026532500,
             "pidNamespace":4026532501,"processName":"cat","hostName":"web-1","containerId":"c1",
             "container":{"id":"c1","name":"web","image":"nginx:1.27","imageDigest":"sha256:ab"},
             "kubernetes":{"podName":"web-1","podNamespace":"shop","podUID":"u1"},"eventId":"1024","eventName":"security_file_open",
             "matchedPolicies":["default"],"argsNum":4,"returnValue":0,"syscall":"openat","stackAddresses":[],"contextFlags":{"containerStarted":true,"isCompat":false},
             "args":[{"name":"pathname","type":"const char*","value":"/var/run/secrets/kubernetes.io/serviceaccount/token"},
                     {"name":"flags","type":"int","value":"O_RDONLY|O_LARGEFILE"},{"name":"dev","type":"dev_t","value":45},{"name":"inode","type":"unsigned long","value":1234}]}
            """
        },
        {
            "v0.18-v0.24: executable and entity ids", """
            {"timestamp":1762077607500000000,"threadStartTime":1762077600000000000,"processorId":1,"processId":12,"cgroupId":5555,"threadId":12,
             "parentProcessId":1,"hostProcessId":5300,"hostThreadId":5300,"hostParentProcessId":5200,"userId":0,"mountNamespace":4026532500,
             "pidNamespace":4026532501,"processName":"cat","executable":{"path":"/usr/bin/cat"},"hostName":"web-1","containerId":"c1",
             "container":{"id":"c1","name":"web","image":"nginx:1.27","imageDigest":"sha256:ab"},
             "kubernetes":{"podName":"web-1","podNamespace":"shop","podUID":"u1"},"eventId":"1024","eventName":"security_file_open",
             "matchedPolicies":["default"],"argsNum":4,"returnValue":0,"syscall":"openat","stackAddresses":[],"contextFlags":{"containerStarted":true,"isCompat":false},
             "threadEntityId":77,"processEntityId":77,"parentEntityId":66,
             "args":[{"name":"pathname","type":"const char*","value":"/var/run/secrets/kubernetes.io/serviceaccount/token"},
                     {"name":"flags","type":"int","value":"O_RDONLY|O_LARGEFILE"},{"name":"dev","type":"dev_t","value":45},{"name":"inode","type":"unsigned long","value":1234}]}
            """
        },
        {
            "after v0.24: v1beta1 events", """
            {"timestamp":"2025-11-02T10:00:07.500000000Z","id":1024,"name":"security_file_open","policies":{"matched":["default"]},
             "workload":{"process":{"executable":{"path":"/usr/bin/cat"},"unique_id":77,"host_pid":5300,"pid":12,"real_user":{"id":0},
               "thread":{"name":"cat","tid":12,"host_tid":5300},"ancestors":[{"unique_id":66,"host_pid":5200,"pid":1}]},
               "container":{"id":"c1","name":"web","image":{"id":"sha256:ab","name":"nginx:1.27"},"started":true},
               "k8s":{"pod":{"name":"web-1","uid":"u1"},"namespace":{"name":"shop"}}},
             "data":[{"name":"pathname","str":"/var/run/secrets/kubernetes.io/serviceaccount/token"},{"name":"flags","int32":32768},
                     {"name":"dev","u_int32":45},{"name":"inode","u_int64":"1234"}]}
            """
        },
    };

    [Theory]
    [MemberData(nameof(TraceeGenerations))]
    public void Decode_EveryTraceeJsonGeneration_GivesTheSameContractParts(string generation, string line)
    {
        (_, List<SecurityEvent> events) = Decode(line);
        SecurityEvent e = Assert.Single(events);

        Assert.True(e.Name == EventNames.FileOpen, generation);
        Assert.Equal(EventSources.Tracee, e.Source);
        Assert.Equal(new DateTimeOffset(2025, 11, 2, 10, 0, 7, 500, TimeSpan.Zero), e.Time);
        Assert.Equal(EventOrigin.Container, e.Origin);
        Assert.Equal((12, 5300, 5200, "cat"), (e.Process!.Pid, e.Process.HostPid, e.Process.ParentPid, e.Process.Name));
        Assert.Equal(new ContainerInfo { Id = "c1", Name = "web", Image = "nginx:1.27" }, e.Container);
        Assert.Equal(new KubernetesInfo { PodName = "web-1", Namespace = "shop", PodUid = "u1" }, e.Kubernetes);
        Assert.Equal(new FileEventInfo { Path = "/var/run/secrets/kubernetes.io/serviceaccount/token", Flags = 0x8000 }, e.File);
    }

    [Fact]
    public void DecodeLegacy_IntegerFlags_AreKept()
    {
        SecurityEvent e = Single(LegacyOpen.Replace("\"O_RDONLY|O_LARGEFILE\"", "32770", StringComparison.Ordinal), InputFormat.TraceeLegacyJson);

        Assert.Equal(32770, e.File!.Flags);
    }

    [Theory]
    [InlineData("\"path\\u006eame\"")] // escaped: read as text, not by its bytes
    [InlineData("\"pathname\"")]
    public void DecodeLegacy_ArgumentNames_AreInterpretedHoweverTheyAreSpelled(string pathnameName)
    {
        SecurityEvent e = Single(LegacyOpen.Replace("\"name\":\"pathname\"", $"\"name\":{pathnameName}", StringComparison.Ordinal), InputFormat.TraceeLegacyJson);

        Assert.Equal("/etc/kubernetes/pki/ca.key", e.File!.Path);
        Assert.Equal("/etc/kubernetes/pki/ca.key", e.Arguments["pathname"]);
    }

    [Fact]
    public void DecodeLegacy_ArgumentsNobodyInterprets_StayInTheArgumentMapAndChangeNoPart()
    {
        SecurityEvent e = Single(LegacyOpen.Replace("{\"name\":\"flags\"", "{\"name\":\"inode\",\"value\":5678},{\"name\":42,\"value\":1},{\"name\":\"flags\"", StringComparison.Ordinal), InputFormat.TraceeLegacyJson);

        Assert.Equal(0x8000, e.File!.Flags);
        Assert.Equal("5678", e.Arguments["inode"]);
        Assert.Equal("1", e.Arguments["42"]);
    }

    [Fact]
    public void DecodeLegacy_EmptyContainerId_IsHostOrigin()
    {
        SecurityEvent e = Single("""
            {"timestamp":1,"eventName":"security_inode_rename","processName":"mv","containerId":"","container":{},
             "args":[{"name":"old_path","value":"/etc/kubernetes/pki/sa.key"},{"name":"new_path","value":"/tmp/sa.key"}]}
            """, InputFormat.TraceeLegacyJson);

        Assert.Equal(EventOrigin.Host, e.Origin);
        Assert.Null(e.Container);
        Assert.Equal("/etc/kubernetes/pki/sa.key", e.File!.OldPath);
        Assert.Equal("/tmp/sa.key", e.File.NewPath);
    }

    [Theory]
    [InlineData("S_IFCHR", "/dev/pts/3", true)]
    [InlineData("S_IFCHR", "/dev/tty1", true)]
    [InlineData("S_IFCHR", "/dev/null", false)]
    [InlineData("S_IFIFO", "pipe:[1234]", false)]
    public void DecodeLegacy_ExecStdin_DecidesInteractive(string stdinType, string stdinPath, bool interactive)
    {
        SecurityEvent e = Single($$"""
            {"timestamp":1,"eventName":"sched_process_exec","processName":"cat","hostProcessId":5,"processEntityId":6,
             "args":[{"name":"pathname","value":"/usr/bin/cat"},{"name":"argv","value":["cat","/etc/passwd"]},
             {"name":"stdin_type","value":"{{stdinType}}"},{"name":"stdin_path","value":"{{stdinPath}}"}]}
            """, InputFormat.TraceeLegacyJson);

        Assert.Equal(["cat", "/etc/passwd"], e.Process!.Args);
        Assert.Equal("/usr/bin/cat", e.Process.Executable);
        Assert.Equal(interactive, e.Process.Interactive);
        Assert.Equal(interactive ? stdinPath : null, e.Process.Tty);
    }

    [Fact]
    public void DecodeV1Beta1_TraceeJson_MapsWorkloadAndData()
    {
        SecurityEvent e = Single("""
            {"timestamp":"2025-11-02T10:00:07.5Z","id":1031,"name":"security_file_open","policies":{"matched":["p"]},
             "workload":{"process":{"executable":{"path":"/usr/bin/python3"},"unique_id":77,"host_pid":5300,"pid":12,
               "real_user":{"id":1000},"thread":{"name":"python3"},"ancestors":[{"host_pid":5200}]},
               "container":{"id":"c1","name":"app","image":{"id":"sha256:1","name":"python:3"},"started":true},
               "k8s":{"pod":{"name":"app-1","uid":"u1"},"namespace":{"name":"ns1"}}},
             "data":[{"name":"pathname","value":"/var/run/secrets/kubernetes.io/serviceaccount/token"},{"name":"flags","value":0}]}
            """, InputFormat.TraceeV1Beta1Json);

        Assert.Equal(EventOrigin.Container, e.Origin);
        Assert.Equal(new ProcessInfo { Pid = 12, HostPid = 5300, ParentPid = 5200, EntityId = 77, Name = "python3", Executable = "/usr/bin/python3", Uid = 1000 }, e.Process);
        Assert.Equal(new ContainerInfo { Id = "c1", Name = "app", Image = "python:3" }, e.Container);
        Assert.Equal(new KubernetesInfo { PodName = "app-1", Namespace = "ns1", PodUid = "u1" }, e.Kubernetes);
        Assert.Equal(new FileEventInfo { Path = "/var/run/secrets/kubernetes.io/serviceaccount/token", Flags = 0 }, e.File);
    }

    [Fact]
    public void DecodeV1Beta1_ProtoJsonSpelling_MapsOneofValuesAndCamelCase()
    {
        SecurityEvent e = Single("""
            {"timestamp":"2025-11-02T10:00:07Z","name":"sched_process_exec",
             "workload":{"process":{"uniqueId":78,"hostPid":5301,"thread":{"name":"cat"}}},
             "data":[{"name":"pathname","str":"/bin/cat"},{"name":"argv","strArray":{"value":["cat","/x"]}},
                     {"name":"stdin_type","str":"S_IFCHR"},{"name":"stdin_path","str":"/dev/pts/1"}]}
            """, InputFormat.TraceeV1Beta1Json);

        Assert.Equal(EventOrigin.Host, e.Origin);
        Assert.Equal(5301, e.Process!.HostPid);
        Assert.Equal(78UL, e.Process.EntityId);
        Assert.Equal(["cat", "/x"], e.Process.Args);
        Assert.True(e.Process.Interactive);
    }

    [Theory]
    [InlineData("""{"timestamp":1,"eventName":"security_file_open","processName":"x","processId":{"a":1},"args":[]}""", "field 'processId' must be an integer")]
    [InlineData("""{"eventName":"security_file_open","processName":"x","args":[]}""", "field 'timestamp' is missing")]
    [InlineData("""{"timestamp":1,"eventName":"security_file_open","args":[1]}""", "an element of 'args' is not an object")]
    [InlineData("""{"timestamp":"2025-11-02T10:00:00Z","name":"x","data":[null]}""", "an element of 'data' is not an object")]
    [InlineData("""{"timestamp":"2025-11-02T10:00:00Z","name":"x","workload":{"process":{"ancestors":[7]}}}""", "an element of 'workload.process.ancestors' is not an object")]
    [InlineData("""{"timestamp":1,"eventName":"security_file_open","args":"oops"}""", "field 'args' must be an array")]
    [InlineData("""{"timestamp":"yesterday","name":"x","workload":{}}""", "field 'timestamp' is not an RFC 3339 time")]
    public void Decode_MalformedTraceeEvent_NamesTheField(string json, string expected)
    {
        Assert.Contains(expected, Error(json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"timestamp":1,"eventName":"security_file_open","processName":"x","args":[{"name":"flags","value":"O_CLOEXEC"},{"name":"pathname","value":"/etc/x"}]}""", "flags")]
    [InlineData("""{"timestamp":1,"eventName":"security_file_open","processName":"x","args":[{"name":"flags","value":{"a":1}},{"name":"pathname","value":"/etc/x"}]}""", "flags")]
    [InlineData("""{"timestamp":1,"eventName":"security_file_open","processName":"x","args":[{"name":"flags","value":0},{"name":"pathname","value":17}]}""", "pathname")]
    [InlineData("""{"timestamp":1,"eventName":"sched_process_exec","processName":"x","args":[{"name":"stdin_type","value":true}]}""", "stdin_type")]
    [InlineData("""{"timestamp":1,"eventName":"sched_process_exec","processName":"x","args":[{"name":"argv","value":"cat /x"}]}""", "argv")]
    [InlineData("""{"timestamp":1,"eventName":"security_inode_rename","processName":"x","args":[{"name":"old_path","value":"/a"},{"name":"new_path","value":7}]}""", "new_path")]
    public void Decode_ArgumentInAnUnknownForm_DeliversTheEventWithThatPartUnknownAndCountsIt(string json, string argument)
    {
        long before = ArgumentForms.Unknown.GetValueOrDefault((EventSources.Tracee, argument));

        SecurityEvent e = Single(json, InputFormat.TraceeLegacyJson);

        Assert.Equal(before + 1, ArgumentForms.Unknown[(EventSources.Tracee, argument)]);
        Assert.Equal("x", e.Process!.Name);
        object? part = argument switch
        {
            "flags" => e.File!.Flags,
            "pathname" => e.File!.Path,
            "stdin_type" => e.Process.Interactive,
            "new_path" => e.File!.NewPath ?? e.File.Path,
            _ => e.Process.Args,
        };
        Assert.Null(part);
    }

    [Theory]
    [InlineData(true, "/dev/pts/0", true)]
    [InlineData(true, "/dev/tty1", true)]
    [InlineData(true, "/dev/console", true)]
    [InlineData(true, "/dev/null", false)]
    [InlineData(false, "/dev/pts/0", false)]
    [InlineData(null, "pipe:[4821]", false)]
    [InlineData(true, null, null)]
    [InlineData(null, "/dev/pts/0", null)]
    [InlineData(null, null, null)]
    public void Interactive_NeedsACharacterDeviceThatIsATerminal(bool? characterDevice, string? stdinPath, bool? expected)
    {
        Assert.Equal(expected, TraceeArguments.Interactive(characterDevice, stdinPath));
    }

    [Theory]
    [InlineData("""{"timestamp":1762077601000000000,"eventName":"","processName":"cat","processId":100,"hostProcessId":100,"args":[]}""")]
    [InlineData("""{"time":"2026-01-01T00:00:00Z","source":"tracee","name":""}""")]
    public void Decode_AnEmptyEventName_IsSkippedAtTheBoundary(string line)
    {
        // Found by fuzzing the forward's wire form: an event without a name must not reach signatures or correlators.
        DecodedInput decoded = JsonLineDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(line));

        Assert.Empty(decoded.Events);
        Assert.Contains(decoded.Problems, p => p.Contains("name", StringComparison.Ordinal));
    }
}
