using System.Text;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Sigs.Host.Nats;

/// <summary>
/// Where forwarded events live in JetStream: one stream (default <c>SIGS_EVENTS</c>) over <c>sigs.events.&gt;</c>,
/// a subject per partition, <c>sigs.events.&lt;partition&gt;</c>. Each message carries one or more contract events
/// (their JSON, one per line; see <see cref="EventPacker"/>) with the headers below.
/// </summary>
internal static class EventSubjects
{
    public const string DefaultStream = "SIGS_EVENTS";
    public const string Prefix = "sigs.events.";

    /// <summary>The contract's schema version the body follows; a correlator refuses others.</summary>
    public const string SchemaHeader = "Sigs-Schema";
    public const string SchemaVersion = "1";

    /// <summary>Largest message a correlator accepts (a NATS server takes at most 1 MiB by default).</summary>
    public const int MaxMessageBytes = 512 * 1024;

    /// <summary>Largest event (one line of a message) a correlator accepts.</summary>
    public const int MaxEventBytes = 256 * 1024;

    public static string Of(int partition) => Prefix + partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
