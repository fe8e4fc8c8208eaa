using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Feeds.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Falco;

/// <summary>Receives the JSON alert Falco's <c>http_output</c> POSTs (the payload Falcosidekick accepts).</summary>
internal sealed class FalcoHttpFeed(string listen, ReceiverLimits limits, WebAccess access, ILogger logger) : HttpReceiverFeed("falco-http", listen, limits, access, logger)
{
    public const string DefaultListen = "http://127.0.0.1:2801/";
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>Falco's <c>http_output</c> posts text/plain alerts unless <c>json_output</c> is on.</summary>
    protected override string UnsupportedMediaTypeAdvice =>
        "; Falco sends text alerts: set json_output: true in falco.yaml so http_output posts JSON";

    protected override DecodedInput Decode(ReadOnlySpan<byte> body) => OneFormat.Decode(body, InputFormat.FalcoAlert, FalcoAlertDecoder.Decode, "not a Falco alert (no 'output_fields' with 'rule' or 'priority')");
}
