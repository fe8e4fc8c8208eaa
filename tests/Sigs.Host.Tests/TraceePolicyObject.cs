using k8s.Models;

namespace Sigs.Host.Tests;

/// <summary>
/// A Tracee Policy as its CRD defines it (tracee.aquasec.com/v1beta1, <c>deploy/helm/tracee/crds/tracee.aquasec.com_policies.yaml</c>
/// at Tracee v0.24.1): <c>spec</c> requires <c>scope</c> and <c>rules</c>, each rule an <c>event</c> with optional
/// <c>filters</c> and <c>actions</c>. Read strictly, a field the CRD does not have fails.
/// </summary>
public sealed class TraceePolicyObject
{
    public string ApiVersion { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public V1ObjectMeta Metadata { get; set; } = new();

    public PolicySpec Spec { get; set; } = new();

    public sealed class PolicySpec
    {
        public List<string>? Scope { get; set; }

        public List<string>? DefaultActions { get; set; }

        public List<Rule>? Rules { get; set; }
    }

    public sealed class Rule
    {
        public string? Event { get; set; }

        public List<string>? Filters { get; set; }

        public List<string>? Actions { get; set; }
    }
}
