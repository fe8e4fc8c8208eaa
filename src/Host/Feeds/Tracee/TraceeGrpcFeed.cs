using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Host.Grpc;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>Subscribes to Tracee's <c>tracee.v1beta1.TraceeService/StreamEvents</c> (server streaming).</summary>
internal sealed class TraceeGrpcFeed(IGrpcClient client, string address, IReadOnlyList<string> policies, int maxMessageBytes, ILogger logger, ReconnectDelays delays)
    : GrpcStreamFeed<StreamEventsResponse>($"tracee:{address}", client, maxMessageBytes, logger, delays)
{
    public const string DefaultAddress = "unix:/var/run/tracee.sock";

    private readonly StreamEventsRequest _request = new() { Policies = { policies } };

    protected override string Method => "/tracee.v1beta1.TraceeService/StreamEvents";

    protected override MessageParser<StreamEventsResponse> Parser => StreamEventsResponse.Parser;

    protected override Task WriteRequestsAsync(GrpcRequestWriter writer, CancellationToken cancellationToken) =>
        writer.WriteAsync(_request, cancellationToken);

    protected override SecurityEvent Map(StreamEventsResponse response) =>
        TraceeProtoMapper.Map(response.Event ?? throw new EventDecodeException("response carries no event"));
}
