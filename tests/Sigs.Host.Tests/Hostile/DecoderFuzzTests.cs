using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Google.Protobuf;
using Sigs.Host.Common;
using Sigs.Host.Configuration;
using Sigs.Host.Feeds;
using Sigs.Host.Feeds.Falco;
using Sigs.Host.Feeds.Files;
using Sigs.Host.Feeds.Tracee;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Host.Grpc;
using Sigs.Host.Pipeline;
using Sigs.Host.Tests.Conformance;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Hostile;

/// <summary>
/// Every decoder and parser under random input built from real lines: byte mutations (invalid UTF-8 included),
/// a value of the wrong type at any path, deep nesting, huge numbers. The property: nothing escapes but a named
/// skip, and the next valid input still decodes. CI runs a few seconds per target (<c>SIGS_FUZZ_SECONDS</c>,
/// default 5: six targets, 30 s); run longer with for example <c>SIGS_FUZZ_SECONDS=600 dotnet test --filter DecoderFuzzTests</c>.
/// </summary>
[Trait("Category", "Slow")]
[Collection(Sigs.Host.Tests.Feeds.DecoderCountersCollection.Name)]
public sealed class DecoderFuzzTests
{
    private static readonly int Seconds = int.TryParse(Environment.GetEnvironmentVariable("SIGS_FUZZ_SECONDS"), out int s) ? s : 5;

    private static readonly string[] FalcoValues = ["openat", "execve", "renameat2", "procexit", "<NA>", "", "O_RDONLY", "99999999999999999999", "(a,b)", "[\"a\",1]", "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\"}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", new string('[', 62) + new string(']', 62)];

    private static readonly bool[] RawAndParsed = [false, true];

    private static readonly string[] Argv = ["cat", "/var/lib/kubelet/pki/kubelet.crt"];

    private static readonly TraceeCall Call = new(EventNames.ProcessExec, 1, 100, "cat", "/usr/bin/cat", "c1", "web-1",
    [
        new("argv", TraceeArgType.StrArray, Argv),
        new("stdin_type", TraceeArgType.UInt16, 0x2190, "S_IFCHR"),
        new("stdin_path", TraceeArgType.Str, "/dev/pts/0"),
    ]);

    /// <summary>Real lines of every format: the bundled examples and each Tracee form of a conformance case.</summary>
    private static readonly string[] Corpus =
    [
        .. Directory.EnumerateFiles(RepoPaths.Examples, "*.jsonl").Order(StringComparer.Ordinal).SelectMany(File.ReadLines).Where(l => l.Length > 0),
        .. Enum.GetValues<TraceeForm>().Where(f => f != TraceeForm.Grpc).SelectMany(form => RawAndParsed.Select(parsed => TraceeForms.Json(Call, form, parsed))),
    ];

    private static readonly System.Text.Json.JsonDocumentOptions Deep = new() { MaxDepth = 1024 };

    private static readonly System.Text.Json.JsonSerializerOptions DeepWriter = new() { MaxDepth = 1024 };

    private static readonly Gen<JsonNode?> WrongValue = Gen.OneOf(
        Gen.Const((JsonNode?)null),
        Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Const(JsonNode.Parse("1e400")),
        Gen.Const(JsonNode.Parse("-99999999999999999999999999999")),
        Gen.String.Select(text => (JsonNode?)JsonValue.Create(text)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const((JsonNode?)new JsonArray(1, "x", null)),
        Gen.Const((JsonNode?)new JsonObject { ["a"] = 1 }),
        Gen.Int[1, 200].Select(depth => JsonNode.Parse(new string('[', depth) + new string(']', depth), documentOptions: Deep)));

    /// <summary>A corpus line with one value, anywhere in it, replaced by one of another type.</summary>
    private static readonly Gen<byte[]> WrongTyped = WrongTypedIn(Corpus);

    /// <summary>A corpus line with a few bytes overwritten, inserted or cut, any byte value (so also invalid UTF-8).</summary>
    private static readonly Gen<byte[]> Mutated = MutatedIn(Corpus);

    private static Gen<byte[]> WrongTypedIn(string[] corpus) =>
        Gen.Select(Gen.Int[0, corpus.Length - 1], Gen.Int, WrongValue).Select(t =>
        {
            JsonNode root = JsonNode.Parse(corpus[t.Item1])!;
            List<(JsonNode Parent, object Key)> slots = [];
            Collect(root, slots);
            (JsonNode parent, object key) = slots[(int)((uint)t.Item2 % (uint)slots.Count)];
            JsonNode? value = t.Item3?.DeepClone();
            if (parent is JsonObject obj)
            {
                obj[(string)key] = value;
            }
            else
            {
                ((JsonArray)parent)[(int)key] = value;
            }

            return Encoding.UTF8.GetBytes(root.ToJsonString(DeepWriter));
        });

    private static Gen<byte[]> MutatedIn(string[] corpus) =>
        Gen.Select(Gen.Int[0, corpus.Length - 1], Gen.Select(Gen.Int[0, 2], Gen.Int, Gen.Byte).Array[1, 6]).Select(t =>
        {
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(corpus[t.Item1]));
            foreach ((int op, int at, byte value) in t.Item2)
            {
                int index = (int)((uint)at % (uint)Math.Max(1, bytes.Count));
                switch (op)
                {
                    case 0 when bytes.Count > 0:
                        bytes[index] = value;
                        break;
                    case 1:
                        bytes.Insert(index, value);
                        break;
                    case 2 when bytes.Count > 1:
                        bytes.RemoveAt(index);
                        break;
                }
            }

            return bytes.ToArray();
        });

    [Fact]
    public void JsonLines_AValueOfTheWrongTypeAnywhere_IsANamedSkipOrAnEvent() =>
        WrongTyped.Sample(DecodesOrSkips, time: Seconds);

    [Fact]
    public void JsonLines_MutatedBytes_AreANamedSkipOrAnEvent() =>
        Mutated.Sample(DecodesOrSkips, time: Seconds);

    /// <summary>Up to eight bytes of a valid message overwritten, inserted or cut.</summary>
    private static Gen<byte[]> MutatedMessage(byte[] valid) =>
        Gen.Select(Gen.Int[0, 2], Gen.Int, Gen.Byte).Array[1, 8].Select(edits =>
        {
            var bytes = new List<byte>(valid);
            foreach ((int op, int at, byte value) in edits)
            {
                int index = (int)((uint)at % (uint)bytes.Count);
                if (op == 0)
                {
                    bytes[index] = value;
                }
                else if (op == 1)
                {
                    bytes.Insert(index, value);
                }
                else if (bytes.Count > 1)
                {
                    bytes.RemoveAt(index);
                }
            }

            return bytes.ToArray();
        });

    /// <summary>
    /// Through the feed's own response marshaller (a message that does not parse becomes a reason, never an
    /// exception) and then its mapper (an event, or a named skip).
    /// </summary>
    private static void ParsesAndMapsOrSkips<T>(byte[] bytes, MessageParser<T> parser, Func<T, SecurityEvent> map)
        where T : class, IMessage<T>
    {
        Received<T> received = SkippingMethods.Parse(new System.Buffers.ReadOnlySequence<byte>(bytes), parser);
        if (received.Message is { } parsed)
        {
            MapsOrSkips(() => map(parsed));
        }
        else
        {
            Assert.StartsWith($"malformed {typeof(T).Name} message", received.Malformed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TraceeProtobuf_MutatedMessages_AreANamedSkipOrAnEvent() =>
        MutatedMessage(new StreamEventsResponse { Event = TraceeForms.Proto(Call, parsed: false) }.ToByteArray()).Sample(
            bytes => ParsesAndMapsOrSkips(bytes, StreamEventsResponse.Parser, r => TraceeProtoMapper.Map(r.Event ?? throw new EventDecodeException("no event"))),
            time: Seconds);

    [Fact]
    public void TetragonProtobuf_MutatedMessages_AreANamedSkipOrAnEvent()
    {
        var process = new Conformance.TetragonJson.Proc(4242, "/usr/bin/cat", "/etc/kubernetes/pki/ca.key \"a b\"", DateTimeOffset.UnixEpoch.AddYears(55));
        DateTimeOffset time = process.Start.AddSeconds(1);
        byte[][] valid =
        [
            .. ((string[])[
                Conformance.TetragonJson.Exec(process, time),
                Conformance.TetragonJson.Exit(process, time),
                Conformance.TetragonJson.FilePermission(process, "/etc/kubernetes/pki/ca.key", 4, time),
                Conformance.TetragonJson.Rename(process with { Pod = null }, "/etc/kubernetes/pki/ca.key", "/tmp/ca.key", time),
            ]).Select(json => TetragonSensor.FromJson(json).ToByteArray()),
        ];
        var processes = new Sigs.Host.Feeds.Tetragon.TetragonProcesses(capacity: 64); // the feed's per-process views, mutated messages and all
        Gen.OneOf([.. valid.Select(MutatedMessage)]).Sample(
            bytes => ParsesAndMapsOrSkips(bytes, Sigs.Host.Feeds.Tetragon.Proto.GetEventsResponse.Parser, r => Sigs.Host.Feeds.Tetragon.TetragonEventMapper.Map(r, processes)),
            time: Seconds,
            threads: 1);
    }

    [Fact]
    public void FalcoProtobuf_MutatedMessages_AreANamedSkipOrAnEvent()
    {
        var alert = new Sigs.Host.Feeds.Falco.Proto.response
        {
            Time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddYears(55)),
            Rule = "Sigs kubelet PKI read",
            Hostname = "node-2",
            OutputFields = { ["evt.type"] = "openat", ["fd.name"] = "/var/lib/kubelet/pki/kubelet.crt", ["evt.arg.flags"] = "O_RDONLY", ["proc.tty"] = "34816", ["proc.pid"] = "7" },
        };
        MutatedMessage(alert.ToByteArray()).Sample(
            bytes => ParsesAndMapsOrSkips(bytes, Sigs.Host.Feeds.Falco.Proto.response.Parser, FalcoGrpcFeed.MapResponse),
            time: Seconds);
    }

    [Fact]
    public void FalcoOutputFields_AnyNamesAndValues_AreANamedSkipOrAnEvent()
    {
        string[] names = ["evt.type", "evt.time", "proc.pid", "proc.vpid", "proc.ppid", "proc.tty", "proc.name", "proc.exe", "proc.args", "proc.cmdline", "proc.exeline", "user.uid", "fd.name", "evt.arg.flags", "evt.rawarg.flags", "container.id", "k8s.pod.name", "fs.path.source",
            "ka.verb", "ka.user.groups", "ka.sourceips", "ka.response.code", "ka.target.resource", "json.obj", "json.value[/user/extra/authentication.kubernetes.io~1pod-name]", "json.value[/user]", "jevt.value[]", "json.value[/requestObject/spec]"];
        string?[] sources = [null, "syscall", "k8s_audit", "internal"];
        Gen<string> value = Gen.OneOf(Gen.String, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), Gen.Int[0, FalcoValues.Length - 1].Select(i => FalcoValues[i]));
        Gen.Select(Gen.Int[0, names.Length - 1], value).Array[0, 12].Select(Gen.Int[0, sources.Length - 1]).Sample((fields, source) =>
        {
            var map = new Dictionary<string, string>();
            foreach ((int name, string text) in fields)
            {
                map[names[name]] = text;
            }

            MapsOrSkips(() => FalcoAlertDecoder.Map(new FalcoAlert(DateTimeOffset.UnixEpoch, "node", "rule", map, sources[source])));
        }, time: Seconds);
    }

    [Fact]
    public void Config_MutatedYaml_IsAConfigErrorOrAConfig()
    {
        const string Valid = """
            plugins:
              dir: /opt/sigs/plugins
            outputs:
              - type: file
                path: /var/log/sigs/findings.jsonl
            feeds:
              - type: k8s-audit
                listen: http://127.0.0.1:9765/k8s-audit
            signatures:
              TRC-1018:
                config:
                  allowedProcesses: [kube-apiserver, kubelet]
            """;
        Gen.Select(Gen.Int[0, 2], Gen.Int, Gen.Char).Array[1, 6].Sample(edits =>
        {
            var text = new StringBuilder(Valid);
            foreach ((int op, int at, char c) in edits)
            {
                int index = (int)((uint)at % (uint)text.Length);
                if (op == 0)
                {
                    text[index] = c;
                }
                else if (op == 1)
                {
                    text.Insert(index, c);
                }
                else
                {
                    text.Remove(index, 1);
                }
            }

            try
            {
                ConfigLoader.Parse(text.ToString(), "fuzz.yaml", HostExtensions.Types);
            }
            catch (ConfigException)
            {
                // A named configuration error.
            }

            Assert.NotNull(ConfigLoader.Parse(Valid, "sigs.yaml", HostExtensions.Types));
        }, time: Seconds);
    }

    /// <summary>
    /// The forward's wire form: whatever any feed decoded (from real or hostile input) is packed into messages as
    /// contract JSON, and a correlator unpacks exactly those events back, in order; a mutated message is named
    /// refusals of its lines and the events of the others, never an exception.
    /// </summary>
    [Fact]
    public void NatsWire_EveryDecodedEvent_SurvivesForwarding_AndMutatedMessagesAreNamedRefusals()
    {
        Gen.OneOf(WrongTyped, Mutated).Array[1, 6].Sample(lines =>
        {
            var packer = new Sigs.Host.Nats.EventPacker("fuzz", "node-fuzz"); // samples run on several threads; a packer is one thread's
            SecurityEvent[] decoded = [.. lines.SelectMany(line => JsonLineDecoder.Decode(line).Events)];
            var received = new List<SecurityEvent>();
            var problems = new List<(int Line, string Problem)>();
            foreach (Sigs.Host.Nats.JetStreamMessage message in packer.Pack([.. decoded.Select(e => (e, 0))]))
            {
                Sigs.Host.Feeds.Nats.PackedEvents.Unpack(message.Body, received, problems);
            }

            Assert.Empty(problems);
            // Sent per role (a node's events and audit events go on their own subjects), a node's pod events naming the node.
            Assert.Equal(
                decoded.GroupBy(Sigs.Host.Nats.EventSubjects.RoleOf).SelectMany(role => role).Select(e =>
                    Sigs.Host.Nats.EventSubjects.RoleOf(e) == Sigs.Host.Nats.EventSubjects.NodeRole && e.Kubernetes is { NodeName: null } pod
                        ? e with { Kubernetes = pod with { NodeName = "node-fuzz" } }
                        : e).Select(Wire),
                received.Select(Wire));

            byte[] raw = [.. lines.SelectMany((line, i) => i == 0 ? line : [(byte)'\n', .. line])];
            received.Clear();
            Sigs.Host.Feeds.Nats.PackedEvents.Unpack(raw, received, problems);
            Assert.Equal(Encoding.Latin1.GetString(raw).Split('\n').Count(line => line.Length > 0), received.Count + problems.Count);
            Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Problem)));
        }, time: Seconds);

        static string Wire(SecurityEvent e) => System.Text.Json.JsonSerializer.Serialize(e, Sigs.Host.Contract.ContractJson.Options);
    }

    /// <summary>
    /// The contract's one-pass reader against the serializer, on contract JSON as Sigs writes it (every corpus line's
    /// events) and on that JSON with a value of the wrong type or bytes changed: where the reader answers, the
    /// serializer takes the line too and gives the same event; Sigs' own form it always answers. Events written by
    /// the generated writer are the serializer's bytes.
    /// </summary>
    [Fact]
    public void ContractReader_AgreesWithTheSerializer_WhereverItAnswers()
    {
        string[] written = [.. Corpus.SelectMany(line => JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(line)).Events).Select(Wire)];
        Assert.NotEmpty(written);
        Assert.All(written, line => Assert.NotNull(Sigs.Host.Feeds.Json.ContractEventReader.TryRead(Encoding.UTF8.GetBytes(line))));
        Assert.All(Corpus.SelectMany(line => JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(line)).Events), e =>
            Assert.Equal(Wire(e), System.Text.Json.JsonSerializer.Serialize(e, Sigs.Host.Contract.ContractJson.Event))); // the generated writer writes the same
        Gen.OneOf(WrongTypedIn(written), MutatedIn(written), Gen.Int[0, written.Length - 1].Select(i => Encoding.UTF8.GetBytes(written[i]))).Sample(line =>
        {
            if (Sigs.Host.Feeds.Json.ContractEventReader.TryRead(line) is not { } fast)
            {
                return;
            }

            SecurityEvent? slow = System.Text.Json.JsonSerializer.Deserialize<SecurityEvent>(line, Sigs.Host.Contract.ContractJson.Options);
            Assert.NotNull(slow);
            Assert.Equal(Wire(slow), Wire(fast));
            Assert.Equal(Wire(slow), System.Text.Json.JsonSerializer.Serialize(fast, Sigs.Host.Contract.ContractJson.Event));
        }, time: Seconds);

        static string Wire(SecurityEvent e) => System.Text.Json.JsonSerializer.Serialize(e, Sigs.Host.Contract.ContractJson.Options);
    }

    /// <summary>
    /// The one-pass decoder guesses the format from the bytes and reads keys in document order: a line whose
    /// top-level keys come in any other order decodes to the same events, or is refused for the same reason.
    /// </summary>
    [Fact]
    public void JsonLines_KeysInAnyOrder_DecodeTheSame()
    {
        Gen.Select(Gen.OneOf(Gen.Int[0, Corpus.Length - 1].Select(i => Encoding.UTF8.GetBytes(Corpus[i])), WrongTyped), Gen.Int).Sample(t =>
        {
            (byte[] line, int seed) = t;
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(line, documentOptions: Deep);
            }
            catch (System.Text.Json.JsonException)
            {
                return;
            }

            byte[] shuffled = Encoding.UTF8.GetBytes((root is JsonObject obj ? Shuffled(obj, new Random(seed)) : root)?.ToJsonString(DeepWriter) ?? "null");
            byte[] written = Encoding.UTF8.GetBytes(root?.ToJsonString(DeepWriter) ?? "null"); // the same spacing as the shuffled copy's
            Assert.Equal(Outcome(written), Outcome(shuffled));
        }, time: Seconds);
    }

    /// <summary>
    /// What decoding gave, in a comparable form: the events' contract JSON (the argument map sorted: it follows the
    /// input's order), or the reason each part was skipped.
    /// </summary>
    private static string Outcome(byte[] line)
    {
        DecodedInput decoded = JsonLineDecoder.Decode(line);
        return string.Join("\n", decoded.Events.Select(e => System.Text.Json.JsonSerializer.Serialize(e with { Arguments = new SortedDictionary<string, string>(e.Arguments.ToDictionary(), StringComparer.Ordinal) }, Sigs.Host.Contract.ContractJson.Options)).Concat(decoded.Problems.Select(p => "skipped: " + p.Split(": ")[0])));
    }

    /// <summary>A copy with the object's properties in a random order.</summary>
    private static JsonObject Shuffled(JsonObject obj, Random random)
    {
        var copy = new JsonObject();
        foreach (KeyValuePair<string, JsonNode?> property in obj.OrderBy(_ => random.Next()))
        {
            copy[property.Key] = property.Value?.DeepClone();
        }

        return copy;
    }

    /// <summary>The correlator's reordering against a model: each item leaves once, on-time ones in event-time order, late ones counted.</summary>
    [Fact]
    public void EventTimeOrder_AgainstAModel_ReleasesEachOnce_InTimeOrder_CountingTheLate()
    {
        Gen.Select(Gen.Int[-20, 20], Gen.Int[0, 3]).Array[0, 200].Sample(steps =>
        {
            var order = new Sigs.Host.Feeds.Nats.EventTimeOrder<int>(TimeSpan.FromSeconds(5), capacity: 50);
            var released = new List<int>();
            var times = new Dictionary<int, DateTimeOffset>();
            DateTimeOffset newestReleased = DateTimeOffset.MinValue;
            long late = 0;
            long clock = 0;
            for (int i = 0; i < steps.Length; i++)
            {
                (int offset, int advance) = steps[i];
                clock += advance;
                DateTimeOffset time = DateTimeOffset.UnixEpoch.AddSeconds(1_000 + (i / 2) + offset);
                times[i] = time;
                if (time < newestReleased)
                {
                    late++;
                }

                if (!order.Add(i, time, clock))
                {
                    released.Add(i);
                }

                int before = released.Count;
                order.Release(clock, frequency: 1, released);
                foreach (int item in released.Skip(before))
                {
                    Assert.True(times[item] >= newestReleased, "an on-time event left before an older one");
                    newestReleased = times[item];
                }
            }

            order.ReleaseAll(released);
            Assert.Equal(Enumerable.Range(0, steps.Length), released.Order());
            Assert.Equal(late, order.Late);
            Assert.Equal(0, order.Count);
        }, time: Seconds);
    }

    private static void DecodesOrSkips(byte[] line)
    {
        DecodedInput decoded = JsonLineDecoder.Decode(line);
        Assert.All(decoded.Problems, problem => Assert.False(string.IsNullOrWhiteSpace(problem)));
        if (decoded.Refused)
        {
            Assert.Empty(decoded.Events);
        }

        // The next valid line still decodes.
        Assert.NotEmpty(JsonLineDecoder.Decode(Encoding.UTF8.GetBytes(Corpus[0])).Events);
    }

    private static void MapsOrSkips(Func<SecurityEvent> map)
    {
        try
        {
            Assert.False(string.IsNullOrEmpty(map().Name));
        }
        catch (EventDecodeException ex)
        {
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        }
    }

    private static void Collect(JsonNode node, List<(JsonNode Parent, object Key)> slots)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach ((string key, JsonNode? child) in obj.ToList())
                {
                    slots.Add((obj, key));
                    if (child is not null)
                    {
                        Collect(child, slots);
                    }
                }

                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    slots.Add((array, i));
                    if (array[i] is { } child)
                    {
                        Collect(child, slots);
                    }
                }

                break;
        }
    }
}
