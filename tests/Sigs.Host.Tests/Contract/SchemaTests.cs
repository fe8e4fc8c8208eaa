using System.Text.Json;
using NJsonSchema;
using Sigs.Host.Contract;
using Sigs.Host.Engine;
using Sigs.Host.Outputs;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Contract;

public class SchemaTests
{
    private static readonly SecurityEvent FullEvent = new()
    {
        Time = new DateTimeOffset(2025, 11, 2, 10, 0, 0, TimeSpan.Zero),
        Source = EventSources.Tracee,
        Name = EventNames.FileRename,
        Origin = EventOrigin.Container,
        HostName = "node-1",
        Process = new ProcessInfo
        {
            Pid = 1, HostPid = 2, ParentPid = 3, EntityId = 4, Name = "mv", Executable = "/bin/mv", Args = ["mv", "a", "b"], Uid = 0, Interactive = true, Tty = "/dev/pts/0",
            UserName = "root", WorkingDirectory = "/root", ParentExecutable = "/bin/sh", ParentArgs = ["sh", "-c", "mv a b"],
        },
        Container = new ContainerInfo { Id = "c", Name = "n", Image = "i" },
        Kubernetes = new KubernetesInfo { PodName = "p", Namespace = "ns", PodUid = "u" },
        File = new FileEventInfo { Path = "b", Flags = 0, OldPath = "a", NewPath = "b" },
        Audit = new AuditInfo
        {
            Stage = "ResponseComplete", Verb = "get", User = "u", RequestingPods = ["p"], RequestUri = "/api", ResponseCode = 200,
            ObjectRef = new AuditObjectReference { Resource = "pods", Subresource = "exec", Namespace = "ns", Name = "p", ApiGroup = "", ApiVersion = "v1" },
            UserGroups = ["system:authenticated"], UserExtra = new Dictionary<string, IReadOnlyList<string>> { ["authentication.kubernetes.io/pod-name"] = ["p"] },
            SourceIps = ["10.0.0.1"], UserAgent = "kubectl/v1.31.0", RequestObject = JsonDocument.Parse("""{"kind":"Pod","spec":{"volumes":[{"hostPath":{"path":"/"}}]}}""").RootElement,
        },
        Arguments = new Dictionary<string, string> { ["old_path"] = "a" },
    };

    private static JsonSchema Load(string file) => JsonSchema.FromFileAsync(RepoPaths.Schema(file)).GetAwaiter().GetResult();

    [Fact]
    public void EventSchema_SerializedEvent_Validates()
    {
        string json = JsonSerializer.Serialize(FullEvent, ContractJson.Options);

        Assert.Empty(Load("event.schema.json").Validate(json));
    }

    [Fact]
    public void FindingSchema_SerializedFinding_Validates()
    {
        var metadata = new SignatureMetadata
        {
            Id = "T-1", Version = "1", Name = "n", EventName = "e", Description = "d", Severity = Severity.High,
            RiskScore = 73, Tactics = ["TA0006"], Techniques = ["T1552.001"], Tags = ["t"], References = ["r"],
        };
        var finding = new Finding(FullEvent.Time, metadata, FullEvent, new Dictionary<string, object?> { ["n"] = 1, ["nested"] = FullEvent });

        string json = System.Text.Encoding.UTF8.GetString(FindingJson.Serialize(finding));

        Assert.Empty(Load("finding.schema.json").Validate(json));
    }

    [Theory]
    [InlineData("""{"time":"2025-11-02T10:00:00Z","source":"s","name":"n","process":{"pid":"x"}}""", "process.pid", NJsonSchema.Validation.ValidationErrorKind.IntegerExpected)]
    [InlineData("""{"time":"2025-11-02T10:00:00Z","source":"s","name":"n","origin":"moon"}""", "origin", NJsonSchema.Validation.ValidationErrorKind.NotInEnumeration)]
    [InlineData("""{"time":"2025-11-02T10:00:00Z","source":"s","name":"n","file":{"colour":1}}""", "file.colour", NJsonSchema.Validation.ValidationErrorKind.NoAdditionalPropertiesAllowed)]
    [InlineData("""{"source":"s","name":"n"}""", "time", NJsonSchema.Validation.ValidationErrorKind.PropertyRequired)]
    public void EventSchema_InvalidEvent_IsRejectedAtItsPath(string json, string path, NJsonSchema.Validation.ValidationErrorKind kind)
    {
        var error = Assert.Single(Load("event.schema.json").Validate(json));

        Assert.Equal(kind, error.Kind);
        Assert.Equal($"#/{path}", error.Path);
    }

    [Fact]
    public void FindingSchema_FindingWithoutSignatureId_IsRejected()
    {
        string json = """{"time":"2025-11-02T10:00:00Z","signature":{"name":"n","version":"1","eventName":"e","severity":"low","description":"d","tactics":[],"techniques":["bad"]},"event":{"time":"2025-11-02T10:00:00Z","source":"s","name":"n"},"data":{}}""";

        var errors = Load("finding.schema.json").Validate(json);

        Assert.Contains(errors, e => e.Path == "#/signature.id" && e.Kind == NJsonSchema.Validation.ValidationErrorKind.PropertyRequired);
        Assert.Contains(errors, e => e.Path == "#/signature.techniques[0]" && e.Kind == NJsonSchema.Validation.ValidationErrorKind.ArrayItemNotValid);
    }
}
