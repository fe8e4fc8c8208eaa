using System.Text;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Sigs.Host.Nats;

/// <summary>
/// Where forwarded events live in JetStream: one stream (default <c>SIGS_EVENTS</c>) over <c>sigs.events.&gt;</c>,
/// subjects <c>sigs.events.&lt;partition&gt;.&lt;role&gt;.&lt;sender&gt;</c>: the role is <c>node</c> (a node's
/// process and file events) or <c>audit</c> (the audit receiver's), the sender the node's name (or the receiver's).
/// NATS's permissions let each sender publish only on its own subjects, so the subject says who sent a message and
/// a correlator takes each event only when what it claims matches (<see cref="EventOrigin"/>). Each message carries
/// one or more contract events (their JSON, one per line; see <see cref="EventPacker"/>) with the headers below.
/// </summary>
internal static class EventSubjects
{
    public const string DefaultStream = "SIGS_EVENTS";
    public const string Prefix = "sigs.events.";
    public const string NodeRole = "node";
    public const string AuditRole = "audit";

    /// <summary>A sender's name: NATS subject tokens (a Kubernetes node name fits), dots between them.</summary>
    public const string SenderPattern = "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$";

    /// <summary>The contract's schema version the body follows; a correlator refuses others.</summary>
    public const string SchemaHeader = "Sigs-Schema";
    public const string SchemaVersion = "1";

    /// <summary>Largest message a correlator accepts (a NATS server takes at most 1 MiB by default).</summary>
    public const int MaxMessageBytes = 512 * 1024;

    /// <summary>Largest event (one line of a message) a correlator accepts.</summary>
    public const int MaxEventBytes = 256 * 1024;

    /// <summary>The subject of a partition's events from one sender in one role.</summary>
    public static string Of(int partition, string role, string sender) =>
        $"{Prefix}{partition.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{role}.{sender}";

    /// <summary>Every subject of a partition, whoever sent it.</summary>
    public static string Partition(int partition) => $"{Prefix}{partition.ToString(System.Globalization.CultureInfo.InvariantCulture)}.>";

    /// <summary>The role a forwarded event is sent in: the audit receiver's for audit events, a node's for the rest.</summary>
    public static string RoleOf(Plugins.SecurityEvent securityEvent) =>
        securityEvent.Source == Plugins.EventSources.KubernetesAudit || securityEvent.Name == Plugins.EventNames.KubernetesAudit ? AuditRole : NodeRole;

    /// <summary>The role and sender a subject names, or null when it is not <c>sigs.events.&lt;partition&gt;.&lt;role&gt;.&lt;sender&gt;</c>.</summary>
    public static (string Role, string Sender)? OriginOf(string subject)
    {
        if (!subject.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        string[] tokens = subject[Prefix.Length..].Split('.', 3);
        return tokens.Length == 3 && tokens[1] is NodeRole or AuditRole && tokens[2].Length > 0 ? (tokens[1], tokens[2]) : null;
    }

    /// <summary>The partition of a key: a stable hash (XxHash32 of its UTF-8) modulo the count, the same on every node and version.</summary>
    public static int PartitionOf(string key, int partitions) =>
        (int)(System.IO.Hashing.XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(key)) % (uint)partitions);

    /// <summary>Creates the stream when missing (file storage, limits retention by age, JetStream's duplicate window); an existing stream is used as it is.</summary>
    public static async Task EnsureStreamAsync(INatsJSContext jetStream, string stream, string subjects, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        try
        {
            await jetStream.GetStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            try
            {
                await jetStream.CreateStreamAsync(new StreamConfig(stream, [subjects])
                {
                    Storage = StreamConfigStorage.File,
                    Retention = StreamConfigRetention.Limits,
                    MaxAge = maxAge,
                    DuplicateWindow = TimeSpan.FromMinutes(2),
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (NatsJSApiException raced) when (raced.Error.ErrCode == 10058)
            {
                // Another instance created it meanwhile (stream name already in use).
            }
        }
    }
}
