using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Sigs.Host.Feeds.Falco.Proto;
using Sigs.Host.Grpc;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Falco;

/// <summary>
/// Subscribes to Falco's gRPC output service (Falco 0.43 and older): <c>falco.outputs.service/sub</c>,
/// bidirectional, sending an empty request about once a second to keep receiving, as Falco's own client does.
/// </summary>
internal sealed class FalcoGrpcFeed(IGrpcClient client, string address, int maxMessageBytes, ILogger logger, ReconnectDelays delays)
    : GrpcStreamFeed<response>($"falco-grpc:{address}", client, maxMessageBytes, logger, delays)
{
    public const string DefaultAddress = "unix:///run/falco/falco.sock";
    private static readonly request KeepAlive = new();

    protected override string Method => "/falco.outputs.service/sub";

    protected override MessageParser<response> Parser => response.Parser;

    protected override async Task WriteRequestsAsync(GrpcRequestWriter writer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await writer.WriteAsync(KeepAlive, cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    protected override SecurityEvent Map(response response) =>
        FalcoAlertDecoder.Map(new FalcoAlert(response.Time?.ToDateTimeOffset(), response.Hostname, response.Rule, response.OutputFields));
}
