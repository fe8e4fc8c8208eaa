using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Feeds.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.KubernetesAudit;

/// <summary>
/// Receives the <c>audit.k8s.io/v1</c> <c>EventList</c> the API server's webhook backend POSTs. A bad item is
/// counted and skipped; the rest of the batch is kept.
/// </summary>
internal sealed class AuditWebhookFeed(string listen, ReceiverLimits limits, WebAccess access, ILogger logger) : HttpReceiverFeed("k8s-audit", listen, limits, access, logger)
{
    public const string DefaultListen = "http://127.0.0.1:9765/k8s-audit";
    public const long DefaultMaxBodyBytes = 16 * 1024 * 1024;

    protected override DecodedInput Decode(ReadOnlySpan<byte> body) => OneFormat.Decode(body, InputFormat.KubernetesAudit, AuditEventDecoder.Decode, "not an audit.k8s.io EventList or Event");
}
