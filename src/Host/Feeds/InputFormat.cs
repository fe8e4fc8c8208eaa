namespace Sigs.Host.Feeds;

/// <summary>The wire formats a JSON line can be in.</summary>
internal enum InputFormat
{
    TraceeLegacyJson,
    TraceeV1Beta1Json,
    FalcoAlert,
    KubernetesAudit,
    Contract,
}

internal static class InputFormatNames
{
    public static string ToDisplayName(this InputFormat format) => format switch
    {
        InputFormat.TraceeLegacyJson => "tracee",
        InputFormat.TraceeV1Beta1Json => "tracee-v1beta1",
        InputFormat.FalcoAlert => "falco",
        InputFormat.KubernetesAudit => "k8s-audit",
        InputFormat.Contract => "sigs",
        _ => format.ToString(),
    };
}
