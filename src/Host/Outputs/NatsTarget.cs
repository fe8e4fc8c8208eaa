using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sigs.Host.Common;
using Sigs.Host.Engine;
using Sigs.Host.Nats;

namespace Sigs.Host.Outputs;

/// <summary>
/// Publishes findings to NATS JetStream. <c>falco</c> is Falcosidekick's NATS output: subject
/// <c>falco.&lt;priority&gt;.&lt;rule&gt;</c> (priority lower-case; the rule lower-cased, each run of characters outside
/// <c>[a-z0-9]</c> turned into <c>_</c> and those at the ends trimmed, as Falcosidekick does), body the Falco alert, so
/// its consumers take Sigs findings unchanged (a core subscription sees JetStream messages too). <c>sigs</c> is
/// <c>sigs.findings.&lt;severity&gt;.&lt;signature id&gt;</c> with the finding JSON. The message id is a hash of
/// the body, so a retry is deduplicated by the stream. A message is <c>subject LF body</c> while it waits.
/// It is published like the forwards' batches (<see cref="JetStreamBatchPublisher"/>, a batch of one): the client's
/// request path lost every acknowledgement after a server restart in one run of the outage test, the batch
/// publisher's own reply subscription did not.
/// </summary>
internal sealed partial class NatsTarget : IDeliveryTarget
{
    public const string DefaultStream = "SIGS_FINDINGS";

    private readonly NatsOutputOptions _options;
    private readonly NatsLink _link;
    private static readonly Dictionary<string, string> NoHeaders = [];
    private JetStreamBatchPublisher? _batches;

    public NatsTarget(NatsOutputOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _link = new NatsLink(options, $"output:{options.Url}", loggerFactory);
    }

    public string Name => $"nats:{_options.Url}";

    private bool Falco => _options.Format == "falco";

    /// <summary>Falcosidekick's subject for a Falco alert.</summary>
    public static string FalcoSubject(string priority, string rule) =>
        $"falco.{priority.ToLowerInvariant()}.{NotSlug().Replace(rule.ToLowerInvariant(), "_").Trim('_')}";

    /// <summary>Sigs' subject for a finding; an id's characters that a subject token cannot hold become <c>_</c>.</summary>
    public static string SigsSubject(string severity, string signatureId) =>
        $"sigs.findings.{severity}.{NotToken().Replace(signatureId, "_")}";

    public byte[] Message(Finding finding, ReadOnlyMemory<byte> json)
    {
        string subject = Falco
            ? FalcoSubject(SeverityMapping.FalcoPriority(finding.Signature.Severity), finding.Signature.Name)
            : SigsSubject(finding.Signature.Severity.ToString().ToLowerInvariant(), finding.Signature.Id);
        byte[] body = Falco ? FalcoAlertFormat.Serialize(finding) : json.ToArray();
        byte[] message = new byte[Encoding.UTF8.GetByteCount(subject) + 1 + body.Length];
        int written = Encoding.UTF8.GetBytes(subject, message);
        message[written] = (byte)'\n';
        body.CopyTo(message, written + 1);
        return message;
    }

    public async Task<DeliveryResult> SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        int split = Array.IndexOf(message, (byte)'\n');
        string subject = Encoding.UTF8.GetString(message, 0, split);
        byte[] body = message[(split + 1)..];
        try
        {
            if (_batches is null)
            {
                await _link.Connection.ConnectAsync().ConfigureAwait(false);
                await EventSubjects.EnsureStreamAsync(_link.JetStream, _options.Stream, Falco ? "falco.>" : "sigs.findings.>", TimeSpan.FromDays(7), cancellationToken).ConfigureAwait(false);
                var batches = new JetStreamBatchPublisher(_link.Connection);
                await batches.StartAsync(cancellationToken).ConfigureAwait(false);
                _batches = batches;
            }

            string id = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body).AsSpan(0, 16));
            BatchResult result = await _batches.PublishAsync([new JetStreamMessage(subject, id, body)], NoHeaders, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            return result.Failure is null ? DeliveryResult.Delivered : DeliveryResult.Failed(result.Failure);
        }
        catch (Exception ex) when (ex is NatsException or NatsJSException)
        {
            return DeliveryResult.Failed(ex.Message);
        }
    }

    public void Dispose()
    {
        _batches?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _link.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();

    [GeneratedRegex("[^A-Za-z0-9_-]+")]
    private static partial Regex NotToken();
}
