using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Feeds.Falco.Proto;
using Sigs.Host.Grpc;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Falco;

/// <summary>
/// Subscribes to Falco's gRPC output service (Falco 0.43 and older): <c>falco.outputs.service/sub</c>,
/// bidirectional, sending an empty request about once a second to keep receiving, as Falco's own client does.
/// </summary>
internal sealed class FalcoGrpcFeed(GrpcChannel channel, string address, ILogger logger, ReconnectDelays delays, TimeProvider? clock = null)
    : GrpcStreamFeed<response>($"falco-grpc:{address}", channel, logger, delays, clock)
{
    public const string DefaultAddress = "unix:///run/falco/falco.sock";
    public static readonly TimeSpan RequestInterval = TimeSpan.FromSeconds(1);

    private static readonly request KeepAlive = new();
    private static readonly Method<request, Received<response>> Sub =
        SkippingMethods.Create(MethodType.DuplexStreaming, service.Descriptor, "sub", request.Parser, response.Parser);

    protected override StreamingCall<response> Start(CallInvoker invoker, CallOptions options, CancellationToken requestsStop)
    {
        AsyncDuplexStreamingCall<request, Received<response>> call = invoker.AsyncDuplexStreamingCall(Sub, null, options);
        return new StreamingCall<response>(call.ResponseStream, call.ResponseHeadersAsync, KeepRequestingAsync(call.RequestStream, Clock, requestsStop), call);
    }

    protected override SecurityEvent Map(response response) => MapResponse(response);

    /// <summary>One output response as a contract event (<see cref="FalcoAlertDecoder"/>, as JSON alerts are).</summary>
    public static SecurityEvent MapResponse(response response) =>
        FalcoAlertDecoder.Map(new FalcoAlert(response.Time is { } time ? ProtoTimestamps.ToDateTimeOffset(time, "time") : null, response.Hostname, response.Rule, response.OutputFields, SourceOf(response)));

    /// <summary>The alert's source: the text field, else the enum older Falco versions fill (whose zero, <c>syscall</c>, is also "not sent").</summary>
    private static string? SourceOf(response response) =>
        response.Source is { Length: > 0 } source ? source
        : response.SourceDeprecated == Proto.source.K8SAudit ? FalcoAuditAlert.Source
        : response.SourceDeprecated == Proto.source.Internal ? "internal"
        : null;

    private static async Task KeepRequestingAsync(IClientStreamWriter<request> requests, TimeProvider clock, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await requests.WriteAsync(KeepAlive, stop).ConfigureAwait(false);
            await Task.Delay(RequestInterval, clock, stop).ConfigureAwait(false);
        }
    }
}
