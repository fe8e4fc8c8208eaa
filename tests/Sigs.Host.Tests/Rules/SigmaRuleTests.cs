using Sigs.Host.Rules;
using Sigs.Host.Tests.TestSupport;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Rules;

/// <summary>Sigma rules compiled and run on contract events: every modifier and condition form, positive and negative.</summary>
public sealed class SigmaRuleTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch.AddSeconds(1_800_000_000);

    internal static SecurityEvent Exec(string executable, params string[] args) => new()
    {
        Time = T0,
        Source = EventSources.Tracee,
        Name = EventNames.ProcessExec,
        Process = new ProcessInfo { Executable = executable, Args = [executable, .. args], Pid = 4242, ParentPid = 1, Interactive = true, Name = Path.GetFileName(executable) },
        Arguments = new Dictionary<string, string> { ["remote_addr"] = "10.1.2.3", ["blob"] = "cGF5bG9hZCBldmlsIGRhdGE=" },
    };

    internal static SecurityEvent Open(string path, int flags = 0, string executable = "/usr/bin/cat") => new()
    {
        Time = T0,
        Source = EventSources.Native,
        Name = EventNames.FileOpen,
        Process = new ProcessInfo { Executable = executable, Pid = 7 },
        File = new FileEventInfo { Path = path, Flags = flags },
    };

    internal static SecurityEvent Audit(string verb, string user, params string[] pods) => new()
    {
        Time = T0,
        Source = EventSources.KubernetesAudit,
        Name = EventNames.KubernetesAudit,
        Audit = new AuditInfo
        {
            Verb = verb, User = user, RequestingPods = pods, ResponseCode = 200,
            UserExtra = new Dictionary<string, IReadOnlyList<string>> { ["authentication.kubernetes.io/pod-name"] = pods },
        },
    };

    /// <summary>One rule of process_creation with <paramref name="detection"/> (indented two spaces).</summary>
    private static string ProcessRule(string detection, string id = "r-1") => $"""
        title: test rule
        id: {id}
        level: high
        tags: [attack.credential-access, attack.t1552.001, attack.g0032]
        logsource:
          product: linux
          category: process_creation
        detection:
        {detection}
        """;

    private RuleSet Load(string yaml, IReadOnlyDictionary<string, IReadOnlyList<string>>? placeholders = null)
    {
        _folder.File("rule.yml", yaml);
        return RuleSet.Load([_folder.Path], placeholders ?? new Dictionary<string, IReadOnlyList<string>>());
    }

    private SigmaSignature Single(string yaml, IReadOnlyDictionary<string, IReadOnlyList<string>>? placeholders = null)
    {
        RuleSet rules = Load(yaml, placeholders);
        Assert.Empty(rules.Refusals);
        return Assert.Single(rules.Signatures);
    }

    private bool Matches(string detection, SecurityEvent e) => Single(ProcessRule(detection)).Rule.Matches(e);

    [Theory]
    [InlineData("  sel:\n    Image|endswith: /cat\n  condition: sel", true)]
    [InlineData("  sel:\n    Image|endswith: /CAT\n  condition: sel", true)] // case-insensitive by default
    [InlineData("  sel:\n    Image|endswith|cased: /CAT\n  condition: sel", false)]
    [InlineData("  sel:\n    Image|startswith: /usr/\n  condition: sel", true)]
    [InlineData("  sel:\n    Image: /usr/bin/cat\n  condition: sel", true)]
    [InlineData("  sel:\n    Image: /usr/bin/ca\n  condition: sel", false)] // equality is whole-value
    [InlineData("  sel:\n    Image: '/usr/*/c?t'\n  condition: sel", true)]
    [InlineData("  sel:\n    Image: '/usr/*/c??t'\n  condition: sel", false)]
    [InlineData("  sel:\n    CommandLine|contains: shadow\n  condition: sel", true)]
    [InlineData("  sel:\n    CommandLine|contains|all: [shadow, '-n']\n  condition: sel", true)]
    [InlineData("  sel:\n    CommandLine|contains|all: [shadow, passwd]\n  condition: sel", false)]
    [InlineData("  sel:\n    CommandLine|contains: [passwd, shadow]\n  condition: sel", true)] // a list is alternatives
    [InlineData("  sel:\n    CommandLine|re: 'cat\\s+-n\\s+/etc/sh[a-z]+'\n  condition: sel", true)]
    [InlineData("  sel:\n    CommandLine|re: 'CAT'\n  condition: sel", false)] // re is case-sensitive
    [InlineData("  sel:\n    CommandLine|re|i: 'CAT'\n  condition: sel", true)]
    [InlineData("  sel:\n    ProcessId|gt: 4000\n  condition: sel", true)]
    [InlineData("  sel:\n    ProcessId|lt: 4000\n  condition: sel", false)]
    [InlineData("  sel:\n    ProcessId|lte: 4242\n  condition: sel", true)]
    [InlineData("  sel:\n    ProcessId|gte: 4243\n  condition: sel", false)]
    [InlineData("  sel:\n    ProcessId: 4242\n  condition: sel", true)] // a YAML number against a contract number
    [InlineData("  sel:\n    ProcessId: '4242'\n  condition: sel", true)] // quoted: text, compared with the number's text
    [InlineData("  sel:\n    process.interactive: true\n  condition: sel", true)]
    [InlineData("  sel:\n    process.interactive: false\n  condition: sel", false)]
    [InlineData("  sel:\n    process.tty|exists: false\n  condition: sel", true)]
    [InlineData("  sel:\n    process.tty|exists: true\n  condition: sel", false)]
    [InlineData("  sel:\n    process.tty: null\n  condition: sel", true)]
    [InlineData("  sel:\n    args.remote_addr|cidr: 10.0.0.0/8\n  condition: sel", true)]
    [InlineData("  sel:\n    args.remote_addr|cidr: [192.168.0.0/16, 172.16.0.0/12]\n  condition: sel", false)]
    [InlineData("  sel:\n    args.blob|base64: payload evil data\n  condition: sel", true)]
    [InlineData("  sel:\n    args.blob|base64offset|contains: evil\n  condition: sel", true)]
    [InlineData("  sel:\n    args.blob|base64offset|contains: good\n  condition: sel", false)]
    [InlineData("  sel:\n    args.blob|base64offset|contains|all: [payload, evil]\n  condition: sel", true)] // each value in one of its three forms
    [InlineData("  sel:\n    CommandLine|fieldref|startswith: Image\n  condition: sel", true)]
    [InlineData("  sel:\n    Image|fieldref: CommandLine\n  condition: sel", false)]
    [InlineData("  sel:\n    process.args: /etc/shadow\n  condition: sel", true)] // a list field: any element
    [InlineData("  sel:\n    Image|endswith: '\\*'\n  condition: sel", false)] // an escaped star is a star
    public void EachModifier_MatchesAsTheSpecificationSays(string detection, bool expected) =>
        Assert.Equal(expected, Matches(detection, Exec("/usr/bin/cat", "-n", "/etc/shadow")));

    [Theory]
    [InlineData("a and b", true)]
    [InlineData("a and not b", false)]
    [InlineData("not a or b", true)]
    [InlineData("not (a or c)", false)]
    [InlineData("a and (c or b)", true)]
    [InlineData("1 of x*", true)]
    [InlineData("all of x*", false)]
    [InlineData("ALL OF x*", false)] // keywords in any case
    [InlineData("1 of them", true)]
    [InlineData("all of them", false)]
    [InlineData("all of them and not c", false)]
    [InlineData("a and b and not 1 of x*", false)]
    [InlineData("not not a", true)]
    public void Conditions_CombineSearches(string condition, bool expected)
    {
        string detection = $"""
              a:
                Image|endswith: /cat
              b:
                CommandLine|contains: shadow
              c:
                Image|endswith: /vim
              x1:
                ProcessId: 4242
              x2:
                ProcessId: 1
              _private:
                Image: nothing
              condition: {condition}
            """;
        Assert.Equal(expected, Matches(detection, Exec("/usr/bin/cat", "/etc/shadow")));
    }

    [Fact]
    public void AListOfMaps_IsTheirDisjunction_AndAMapTheConjunctionOfItsFields()
    {
        string detection = """
              sel:
                - Image|endswith: /vim
                  CommandLine|contains: shadow
                - Image|endswith: /cat
                  CommandLine|contains: shadow
              condition: sel
            """;
        Assert.True(Matches(detection, Exec("/usr/bin/cat", "/etc/shadow")));
        Assert.False(Matches(detection, Exec("/usr/bin/cat", "/etc/hosts")));
        Assert.False(Matches(detection, Exec("/usr/bin/less", "/etc/shadow")));
    }

    [Fact]
    public void Expand_TakesThePlaceholdersFromTheConfiguration()
    {
        string rule = ProcessRule("  sel:\n    Image|expand: '%shells%'\n  condition: sel");
        SigmaSignature signature = Single(rule, new Dictionary<string, IReadOnlyList<string>> { ["shells"] = ["/bin/bash", "/bin/sh"] });
        Assert.True(signature.Rule.Matches(Exec("/bin/sh")));
        Assert.False(signature.Rule.Matches(Exec("/bin/zsh")));
    }

    [Fact]
    public void FileEvent_SelectsOpensForWriting_FileAccess_EveryOpen()
    {
        string Rule(string category) => $"""
            title: t
            id: f-{category}
            logsource: {"{"}product: linux, category: {category}{"}"}
            detection:
              sel:
                TargetFilename|startswith: /etc/kubernetes/pki/
              condition: sel
            """;
        SigmaSignature written = Single(Rule("file_event"));
        SigmaSignature accessed = Single(Rule("file_access"));
        SecurityEvent read = Open("/etc/kubernetes/pki/ca.key");
        SecurityEvent write = Open("/etc/kubernetes/pki/ca.key", flags: 1);
        SecurityEvent create = Open("/etc/kubernetes/pki/new.key", flags: 0x40);
        Assert.Equal((false, true, true), (written.Rule.Matches(read), written.Rule.Matches(write), written.Rule.Matches(create)));
        Assert.Equal((true, true), (accessed.Rule.Matches(read), accessed.Rule.Matches(write)));
        Assert.False(accessed.Rule.Matches(Open("/etc/hosts")));
    }

    [Fact]
    public void KubernetesAudit_ReadsTheAuditFields_AndAListFieldMatchesAnyElement()
    {
        SigmaSignature signature = Single("""
            title: t
            id: k-1
            logsource:
              product: kubernetes
              service: audit
            detection:
              sel:
                verb: [get, list]
                user.extra.authentication.kubernetes.io/pod-name: web-1
              condition: sel
            """);
        Assert.True(signature.Rule.Matches(Audit("get", "system:serviceaccount:default:web", "web-1")));
        Assert.False(signature.Rule.Matches(Audit("delete", "system:serviceaccount:default:web", "web-1")));
        Assert.False(signature.Rule.Matches(Audit("get", "system:serviceaccount:default:web", "web-2")));
        Assert.Equal([EventNames.KubernetesAudit], signature.Selectors.Select(s => s.Name));
    }

    [Fact]
    public void KubernetesAudit_ObjectUserSourceAndRequestObject_MatchAsTheApiServerWroteThem()
    {
        const string PodCreate = """
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/pods","verb":"create",
             "user":{"username":"dev","groups":["devs","system:authenticated"],"extra":{"scopes.example.com/team":["blue"]}},"sourceIPs":["10.1.2.3"],"userAgent":"kubectl/v1.31.0",
             "objectRef":{"resource":"pods","namespace":"shop","name":"debug","apiVersion":"v1"},"responseStatus":{"code":201},
             "requestObject":{"kind":"Pod","spec":{"volumes":[{"name":"h","hostPath":{"path":"/"}}],"containers":[{"name":"a","securityContext":{"privileged":false}},{"name":"b","securityContext":{"privileged":true}}]}},
             "requestReceivedTimestamp":"2025-11-02T10:01:00Z"}
            """;
        SecurityEvent created = Assert.Single(Sigs.Host.Feeds.Files.JsonLineDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(PodCreate)).Events);
        SecurityEvent listed = Audit("list", "dev");

        bool Matches(string selection) => Single($$"""
            title: t
            id: k-2
            logsource:
              category: application
              product: kubernetes
              service: audit
            detection:
              sel:
            {{selection}}
              condition: sel
            """).Rule.Matches(created);

        Assert.True(Matches("    objectRef.resource: pods\n    objectRef.namespace: shop\n    objectRef.name|startswith: deb"));
        Assert.False(Matches("    objectRef.resource: secrets"));
        Assert.True(Matches("    objectRef.subresource|exists: false\n    objectRef.apiVersion: v1"));
        Assert.True(Matches("    user.groups: devs"));
        Assert.True(Matches("    user.extra.scopes.example.com/team: blue")); // a key with dots and a slash
        Assert.True(Matches("    sourceIPs|cidr: 10.0.0.0/8"));
        Assert.False(Matches("    sourceIPs|cidr: 192.168.0.0/16"));
        Assert.True(Matches("    userAgent|startswith: 'kubectl/'"));
        Assert.True(Matches("    requestObject.spec.containers.securityContext.privileged: true")); // any container
        Assert.True(Matches("    requestObject.spec.volumes.hostPath.path: /"));
        Assert.True(Matches("    hostPath: '*'"));
        Assert.False(Matches("    capabilities: '*'"));
        Assert.True(Matches("    apiGroup|exists: false"));
        Assert.True(Matches("    responseStatus.code: 201"));
        Assert.False(Single("""
            title: t
            id: k-3
            logsource: { product: kubernetes, service: audit }
            detection:
              sel:
                requestObject.spec.containers.securityContext.privileged: true
              condition: sel
            """).Rule.Matches(listed)); // no request object: no match
    }

    [Fact]
    public void ProcessCreation_ParentUserAndDirectory_MatchWhatFalcoSent()
    {
        const string Alert = """
            {"hostname":"n","output":"x","priority":"Notice","rule":"r","source":"syscall","tags":[],"time":"2025-11-02T10:00:10Z","output_fields":{"evt.type":"execve","proc.pid":7,"proc.name":"curl","proc.exe":"curl","proc.args":"-s http://x","proc.pexepath":"/usr/bin/bash","proc.pcmdline":"bash -c curl -s http://x","proc.cwd":"/tmp/","user.name":"www-data","container.id":"host"}}
            """;
        SecurityEvent exec = Assert.Single(Sigs.Host.Feeds.Files.JsonLineDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(Alert)).Events);

        Assert.True(Matches("  sel:\n    ParentImage|endswith: /bash\n    ParentCommandLine|contains: '-c curl'\n  condition: sel", exec));
        Assert.True(Matches("  sel:\n    CurrentDirectory|startswith: /tmp\n    User: www-data\n  condition: sel", exec));
        Assert.False(Matches("  sel:\n    User: root\n  condition: sel", exec));
        Assert.False(Matches("  sel:\n    ParentImage|endswith: /bash\n  condition: sel", Exec("/usr/bin/curl"))); // no parent known: no match
    }

    [Fact]
    public void Metadata_ComesFromTheRule_AndAFindingSaysWhatMatched()
    {
        SigmaSignature signature = Single(ProcessRule("  sel:\n    Image|endswith: /cat\n  other:\n    Image|endswith: /vim\n  condition: sel or other"));
        SignatureMetadata metadata = signature.Metadata;
        Assert.Equal(("r-1", "test rule", Severity.High), (metadata.Id, metadata.Name, metadata.Severity));
        Assert.Equal(["T1552.001"], metadata.Techniques);
        Assert.Equal(["Credential Access"], metadata.Tactics);
        Assert.Equal([EventNames.ProcessExec], signature.Selectors.Select(s => s.Name));

        IReadOnlyDictionary<string, object?> data = signature.Rule.Explain(Exec("/usr/bin/cat", "/etc/shadow"));
        Assert.Equal("test rule", data["rule"]);
        Assert.Equal(["sel"], (string[])data["matched"]!);
        Assert.Equal("/usr/bin/cat", ((IDictionary<string, object?>)data["values"]!)["Image"]);
    }

    [Fact]
    public void AFilter_ExcludesWhatItDescribes_FromTheRulesItNames()
    {
        RuleSet rules = Load(ProcessRule("  sel:\n    CommandLine|contains: shadow\n  condition: sel") + """

            ---
            title: our backup job reads it
            id: filter-1
            logsource:
              product: linux
              category: process_creation
            filter:
              rules: [r-1]
              backup:
                Image: /opt/backup/run
              condition: not backup
            """);
        Assert.Empty(rules.Refusals);
        CompiledRule rule = Assert.Single(rules.Signatures).Rule;
        Assert.True(rule.Matches(Exec("/usr/bin/cat", "/etc/shadow")));
        Assert.False(rule.Matches(Exec("/opt/backup/run", "/etc/shadow")));
        Assert.Equal(["filter-1"], rule.Filters);
    }

    [Theory]
    [InlineData("  sel:\n    CommandLine|windash: '-x'\n  condition: sel", "rule.yml:10: modifier 'windash' is for Windows events")]
    [InlineData("  sel:\n    CommandLine|utf16le|base64: x\n  condition: sel", "modifier 'utf16le' is for Windows events")]
    [InlineData("  sel:\n    CommandLine|sometimes: x\n  condition: sel", "unknown modifier 'sometimes'")]
    [InlineData("  sel:\n    Nonsense: x\n  condition: sel", "unknown field 'Nonsense' for product: linux, category: process_creation")]
    [InlineData("  sel:\n    LogonId: 0\n  condition: sel", "field 'LogonId' of product: linux, category: process_creation is not one Sigs can fill")]
    [InlineData("  sel:\n    CommandLine|re: '(a)\\1'\n  condition: sel", "non-backtracking engine")]
    [InlineData("  sel:\n    - shadow\n    - passwd\n  condition: sel", "keyword search")]
    [InlineData("  sel:\n    Image: x\n  condition: sel and missing", "the condition names 'missing', which the detection does not define")]
    [InlineData("  sel:\n    Image: x\n  condition: sel | count() > 5", "aggregation")]
    [InlineData("  sel:\n    Image: x\n  condition: (sel", "expected ')' at the end of the condition")]
    [InlineData("  sel:\n    Image: x\n  condition: 1 of nothing*", "'1 of nothing*' matches no search identifier")]
    [InlineData("  sel:\n    ProcessId|gt: many\n  condition: sel", "'gt' compares with a number")]
    [InlineData("  sel:\n    Image|expand: '%nowhere%'\n  condition: sel", "placeholder '%nowhere%' is not defined")]
    [InlineData("  sel:\n    Image|contains|endswith: x\n  condition: sel", "at most one of 'contains', 'startswith' and 'endswith'")]
    [InlineData("  sel: {}\n  condition: sel", "empty map")]
    public void AnUnsupportedRule_IsRefusedWithItsFileLineAndReason(string detection, string reason)
    {
        RuleSet rules = Load(ProcessRule(detection));
        Assert.Empty(rules.Signatures);
        string refusal = Assert.Single(rules.Refusals);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(_folder.Path, "rule.yml") + ":", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("title: t\nid: x\nlogsource: {product: windows, category: process_creation}\ndetection: {sel: {Image: x}, condition: sel}", "logsource 'product: windows, category: process_creation' is not one Sigs maps")]
    [InlineData("title: t\nid: x\nlogsource: {product: linux, category: process_creation}\ndetection: {sel: {Image: x}, condition: sel}\nlevel: extreme", "level 'extreme'")]
    [InlineData("title: t\nlogsource: {product: linux}\ndetection: {sel: {Image: x}, condition: sel}", "no 'id'")]
    [InlineData("title: t\nid: x\ncorrelation: {type: event_count, rules: [a]}", "no 'correlation.timespan'")]
    [InlineData("base: &b {Image: x}\ntitle: t\nid: x\nlogsource: {product: linux, category: process_creation}\ndetection: {sel: *b, condition: sel}", "anchors and aliases are not allowed")]
    [InlineData("title: [unclosed\n", "invalid YAML")]
    public void ABadDocument_IsRefused_AndTheOthersLoad(string bad, string reason)
    {
        RuleSet rules = Load(bad + "\n---\n" + ProcessRule("  sel:\n    Image: x\n  condition: sel", id: "good"));
        Assert.Contains(rules.Refusals, r => r.Contains(reason, StringComparison.Ordinal));
        if (!reason.Contains("YAML", StringComparison.Ordinal) && !reason.Contains("anchors", StringComparison.Ordinal))
        {
            Assert.Equal(["good"], rules.Signatures.Select(s => s.Metadata.Id)); // a file that parses keeps its good rules
        }
    }

    [Fact]
    public void HostileFiles_AreRefusedWithinBounds()
    {
        string deep = "title: t\nid: d\nlogsource: {product: linux, category: process_creation}\ndetection: {sel: " + new string('[', 5000) + new string(']', 5000) + ", condition: sel}";
        Assert.Contains("nested deeper than", Assert.Single(Load(deep).Refusals), StringComparison.Ordinal);

        string many = ProcessRule("  sel:\n    Image:\n" + string.Concat(Enumerable.Range(0, SigmaFieldCompiler.MaxValues + 1).Select(i => $"      - v{i}\n")) + "  condition: sel");
        Assert.Contains("more than 4096 values", Assert.Single(Load(many).Refusals), StringComparison.Ordinal);

        _folder.File("huge.yml", new string('#', SigmaDocuments.MaxBytes + 1));
        File.Delete(Path.Combine(_folder.Path, "rule.yml"));
        Assert.Contains("larger than", Assert.Single(RuleSet.Load([_folder.Path], new Dictionary<string, IReadOnlyList<string>>()).Refusals), StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotUtf8_IsRefusedByName_AndTheOtherFilesLoad()
    {
        _folder.File("rule.yml", ProcessRule("  sel:\n    Image: x\n  condition: sel", id: "good"));
        File.WriteAllBytes(Path.Combine(_folder.Path, "latin1.yml"), [.. System.Text.Encoding.UTF8.GetBytes("title: caf"), 0xE9, (byte)'\n']);
        RuleSet rules = RuleSet.Load([_folder.Path], new Dictionary<string, IReadOnlyList<string>>());
        Assert.Equal(["good"], rules.Signatures.Select(s => s.Metadata.Id));
        Assert.StartsWith(Path.Combine(_folder.Path, "latin1.yml") + ": cannot be read:", Assert.Single(rules.Refusals), StringComparison.Ordinal);
    }

    [Fact]
    public void ACatastrophicRegex_RunsInLinearTime()
    {
        SigmaSignature signature = Single(ProcessRule("  sel:\n    CommandLine|re: '^(a+)+$'\n  condition: sel"));
        SecurityEvent hostile = Exec("/bin/x", new string('a', 50_000) + "!");
        Assert.False(signature.Rule.Matches(hostile)); // a backtracking engine would not return in any useful time
    }

    [Fact]
    public void ARuleIdUsedTwice_KeepsTheFirst()
    {
        RuleSet rules = Load(ProcessRule("  sel:\n    Image: a\n  condition: sel") + "\n---\n" + ProcessRule("  sel:\n    Image: b\n  condition: sel"));
        Assert.Single(rules.Signatures);
        Assert.Contains("rule id 'r-1' is already used by", Assert.Single(rules.Refusals), StringComparison.Ordinal);
    }
}
