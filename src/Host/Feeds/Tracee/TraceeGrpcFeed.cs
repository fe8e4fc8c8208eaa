using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Feeds.Tracee.Proto;
using Sigs.Host.Grpc;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Tracee;

/// <summary>Subscribes to Tracee's <c>tracee.v1beta1.TraceeService/StreamEvents</c> (server streaming).</summary>
internal sealed class TraceeGrpcFeed(GrpcChannel channel, string address, IReadOnlyList<string> policies, ILogger logger, ReconnectDelays delays, TimeProvider? clock = null)
    : GrpcStreamFeed<StreamEventsResponse>($"tracee:{address}", channel, logger, delays, clock)
{
    public const string DefaultAddress = "unix:/var/run/tracee.sock";

    private static readonly Method<StreamEventsRequest, Received<StreamEventsResponse>> StreamEvents =
        SkippingMethods.Create(MethodType.ServerStreaming, TraceeService.Descriptor, "StreamEvents", StreamEventsRequest.Parser, StreamEventsResponse.Parser);

    private readonly StreamEventsRequest _request = new() { Policies = { policies } };

    protected override StreamingCall<StreamEventsResponse> Start(CallInvoker invoker, CallOptions options, CancellationToken requestsStop)
    {
        AsyncServerStreamingCall<Received<StreamEventsResponse>> call = invoker.AsyncServerStreamingCall(StreamEvents, null, options, _request);
        return new StreamingCall<StreamEventsResponse>(call.ResponseStream, call.ResponseHeadersAsync, Task.CompletedTask, call);
    }

    protected override SecurityEvent Map(StreamEventsResponse response) =>
        TraceeProtoMapper.Map(response.Event ?? throw new EventDecodeException("response carries no event"));
}
