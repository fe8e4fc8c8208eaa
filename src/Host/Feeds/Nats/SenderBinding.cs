using Sigs.Host.Nats;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Nats;

/// <summary>
/// A correlator takes a forwarded event only when what it claims matches who sent it, as the subject says (NATS lets
/// each sender publish only on its own subjects): audit events only from the audit role, a node's events only
/// naming that node. An accepted node event about a pod names its sender as <see cref="KubernetesInfo.NodeName"/>,
/// so a signature can tell which node saw it.
/// </summary>
internal static class SenderBinding
{
    /// <summary>Reasons an event is refused, as <c>sigs_nats_refused_total</c>'s <c>reason</c> label.</summary>
    public const string NoOrigin = "no_origin";
    public const string AuditFromNode = "audit_from_node";
    public const string NotAudit = "not_audit";
    public const string OtherNode = "other_node";

    /// <summary>The event as the correlator takes it, or null with the reason it is refused.</summary>
    public static SecurityEvent? Bind(SecurityEvent securityEvent, (string Role, string Sender)? origin, out string? refused)
    {
        refused = null;
        if (origin is not (string role, string sender))
        {
            refused = NoOrigin;
            return null;
        }

        bool audit = EventSubjects.RoleOf(securityEvent) == EventSubjects.AuditRole;
        if (role == EventSubjects.AuditRole)
        {
            refused = audit ? null : NotAudit;
            return audit ? securityEvent : null;
        }

        if (audit)
        {
            refused = AuditFromNode;
            return null;
        }

        if (securityEvent.Kubernetes is not { } pod)
        {
            return securityEvent;
        }

        if (pod.NodeName is { } claimed && claimed != sender)
        {
            refused = OtherNode;
            return null;
        }

        return pod.NodeName is null ? securityEvent with { Kubernetes = pod with { NodeName = sender } } : securityEvent;
    }

    /// <summary>What a refusal means, for the log.</summary>
    public static string Describe(string reason) => reason switch
    {
        NoOrigin => "its subject names no role and sender (sigs.events.<partition>.<node|audit>.<sender>)",
        AuditFromNode => "an audit event from a node (only the audit receiver may send them)",
        NotAudit => "an event that is not an audit event on the audit receiver's subject",
        OtherNode => "an event that names another node than its sender",
        _ => reason,
    };
}
