using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Sigs.Host.Grpc;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>
/// A feed that holds one streaming gRPC call open to a sensor and maps every response to a contract event.
/// The call is reopened with backoff whenever it ends or fails; a response that cannot be mapped is counted and
/// skipped, and the stream goes on.
/// </summary>
internal abstract class GrpcStreamFeed<TResponse> : IEventFeed
    where TResponse : IMessage<TResponse>
{
    private readonly IGrpcClient _client;
    private readonly ReconnectLoop _reconnect;
    private readonly DecodeErrorLog _decodeErrors;
    private readonly GrpcCallOptions _callOptions;

    protected GrpcStreamFeed(string name, IGrpcClient client, int maxMessageBytes, ILogger logger, ReconnectDelays delays)
    {
        Name = name;
        _client = client;
        _reconnect = new ReconnectLoop(Name, Counters, logger, delays.Initial, delays.Maximum);
        _decodeErrors = new DecodeErrorLog(Name, Counters, logger);
        _callOptions = new GrpcCallOptions(maxMessageBytes, OnMalformedMessage: _decodeErrors.Report);
    }

    public string Name { get; }

    public FeedCounters Counters { get; } = new();

    /// <summary>The full method path, <c>/package.Service/Method</c>.</summary>
    protected abstract string Method { get; }

    protected abstract MessageParser<TResponse> Parser { get; }

    /// <summary>Writes the call's request messages; for a server-streaming call, exactly one.</summary>
    protected abstract Task WriteRequestsAsync(GrpcRequestWriter writer, CancellationToken cancellationToken);

    /// <summary>Maps one response; throws <see cref="EventDecodeException"/> when it cannot.</summary>
    protected abstract SecurityEvent Map(TResponse response);

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        using (_client)
        {
            await _reconnect.RunAsync((connected, token) => StreamAsync(sink, connected, token), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StreamAsync(IEventSink sink, Action connected, CancellationToken cancellationToken)
    {
        GrpcCallOptions options = _callOptions with { OnResponseHeaders = connected };
        await foreach (TResponse response in _client.StreamAsync(Method, WriteRequestsAsync, Parser, options, cancellationToken).ConfigureAwait(false))
        {
            SecurityEvent mapped;
            try
            {
                mapped = Map(response);
            }
            catch (EventDecodeException ex)
            {
                _decodeErrors.Report(ex.Message);
                continue;
            }

            Counters.CountEvent(mapped.Name);
            await sink.PublishAsync(mapped, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>How long a network feed waits before its first retry, and at most between retries.</summary>
internal sealed record ReconnectDelays(TimeSpan Initial, TimeSpan Maximum)
{
    public static ReconnectDelays Default { get; } = new(ReconnectLoop.DefaultInitialDelay, ReconnectLoop.DefaultMaximumDelay);
}
