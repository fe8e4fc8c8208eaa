using k8s;
using k8s.Models;

namespace Sigs.Host.Tests;

/// <summary>
/// A Tetragon TracingPolicy as its CRD defines it (cilium.io/v1alpha1, <c>cilium.io_tracingpolicies.yaml</c> at
/// Tetragon v1.7.0), for reading deploy/ strictly: the properties at each level the shipped policy reaches are the
/// CRD's, so a field the CRD does not have fails to read. Deeper parts the policy does not use stay loose.
/// </summary>
public sealed class TracingPolicyObject : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The CRD's <c>args[].type</c> values.</summary>
    public static readonly string[] ArgumentTypes =
    [
        "auto", "int", "sint8", "int8", "uint8", "sint16", "int16", "uint16", "uint32", "sint32", "int32", "ulong", "uint64", "size_t", "long",
        "sint64", "int64", "char_buf", "char_iovec", "skb", "sock", "sockaddr", "socket", "sockaddr_un", "string", "fd", "file", "filename",
        "path", "nop", "bpf_attr", "perf_event", "bpf_map", "user_namespace", "capability", "kiocb", "iov_iter", "cred", "const_buf",
        "load_info", "module", "syscall64", "kernel_cap_t", "cap_inheritable", "cap_permitted", "cap_effective", "linux_binprm", "data_loc",
        "net_device", "bpf_cmd", "dentry", "bpf_prog",
    ];

    /// <summary>The CRD's <c>selectors[].matchArgs[].operator</c> values.</summary>
    public static readonly string[] Operators =
    [
        "Equal", "NotEqual", "Prefix", "NotPrefix", "Postfix", "NotPostfix", "GreaterThan", "LessThan", "GT", "LT", "Mask", "SPort",
        "NotSPort", "SPortPriv", "NotSportPriv", "DPort", "NotDPort", "DPortPriv", "NotDPortPriv", "SAddr", "NotSAddr", "DAddr", "NotDAddr",
        "Protocol", "Family", "State", "InMap", "NotInMap", "CapabilitiesGained", "InRange", "NotInRange", "SubString", "SubStringIgnCase",
        "CelExpr", "FileType", "NotFileType",
    ];

    public string ApiVersion { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public V1ObjectMeta Metadata { get; set; } = new();

    public PolicySpec Spec { get; set; } = new();

    public sealed class PolicySpec
    {
        public object? ContainerSelector { get; set; }

        public object? Enforcers { get; set; }

        public object? Fentries { get; set; }

        public object? HostSelector { get; set; }

        public List<Kprobe>? Kprobes { get; set; }

        public object? Lists { get; set; }

        public object? Loader { get; set; }

        public object? Lsmhooks { get; set; }

        public object? Options { get; set; }

        public object? PodSelector { get; set; }

        public object? SelectorsMacros { get; set; }

        public object? Tracepoints { get; set; }

        public object? Uprobes { get; set; }

        public object? Usdts { get; set; }
    }

    public sealed class Kprobe
    {
        public string? Call { get; set; }

        public bool? Syscall { get; set; }

        public bool? Return { get; set; }

        public List<Argument>? Args { get; set; }

        public object? Data { get; set; }

        public object? Ignore { get; set; }

        public string? Message { get; set; }

        public object? ReturnArg { get; set; }

        public string? ReturnArgAction { get; set; }

        public List<Selector>? Selectors { get; set; }

        public List<string>? Tags { get; set; }
    }

    public sealed class Argument
    {
        public int? Index { get; set; }

        public string? Type { get; set; }

        public string? BtfType { get; set; }

        public string? Label { get; set; }

        public bool? MaxData { get; set; }

        public object? Resolve { get; set; }

        public bool? ReturnCopy { get; set; }

        public int? SizeArgIndex { get; set; }

        public string? Source { get; set; }
    }

    public sealed class Selector
    {
        public object? Macros { get; set; }

        public object? MatchActions { get; set; }

        public List<MatchArg>? MatchArgs { get; set; }

        public object? MatchBinaries { get; set; }

        public object? MatchCapabilities { get; set; }

        public object? MatchCapabilityChanges { get; set; }

        public object? MatchData { get; set; }

        public object? MatchNamespaceChanges { get; set; }

        public object? MatchNamespaces { get; set; }

        public object? MatchPIDs { get; set; }

        public object? MatchParentBinaries { get; set; }

        public object? MatchReturnActions { get; set; }

        public object? MatchReturnArgs { get; set; }
    }

    public sealed class MatchArg
    {
        public object? Args { get; set; }

        public int? Index { get; set; }

        public string? Operator { get; set; }

        public List<string>? Values { get; set; }
    }
}
