using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Host.Grpc;
using Sigs.Plugins;

namespace Sigs.Host.Feeds;

/// <summary>
/// A feed that holds one streaming gRPC call open to a sensor (Grpc.Net.Client) and maps every response to a
/// contract event. The call is reopened with backoff whenever it ends or fails; a response that does not parse or
/// cannot be mapped is counted and skipped, and the stream goes on. Events already received are published before
/// a later failure ends the call.
/// </summary>
internal abstract class GrpcStreamFeed<TResponse> : IEventFeed
    where TResponse : class
{
    private readonly GrpcChannel _channel;
    private readonly ReconnectLoop _reconnect;
    private readonly DecodeErrorLog _decodeErrors;

    protected GrpcStreamFeed(string name, GrpcChannel channel, ILogger logger, ReconnectDelays delays, TimeProvider? clock)
    {
        Name = name;
        Clock = clock ?? TimeProvider.System;
        _channel = channel;
        _reconnect = new ReconnectLoop(Name, Counters, logger, delays.Initial, delays.Maximum, Clock);
        _decodeErrors = new DecodeErrorLog(Name, Counters, logger);
    }

    public string Name { get; }

    /// <summary>The clock the feed waits by.</summary>
    protected TimeProvider Clock { get; }

    public FeedCounters Counters { get; } = new();

    /// <summary>
    /// Starts the call. <paramref name="requestsStop"/> ends whatever the feed keeps writing on a client stream;
    /// the returned task of requests is awaited when the call ends.
    /// </summary>
    protected abstract StreamingCall<TResponse> Start(CallInvoker invoker, CallOptions options, CancellationToken requestsStop);

    /// <summary>
    /// Maps one response; null for a response that is no event (a sensor's notice, which the feed counts or logs
    /// itself). Throws <see cref="EventDecodeException"/> when it cannot.
    /// </summary>
    protected abstract SecurityEvent? Map(TResponse response);

    /// <summary>
    /// Completes when the request the stream was opened with no longer fits (the loaded signatures changed): the
    /// stream is then closed and opened again with <see cref="Start"/>'s new request. Never, unless overridden.
    /// </summary>
    protected virtual Task RequestOutdatedAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    /// <summary>Called when the stream was reopened because its request was outdated.</summary>
    protected virtual void OnReopened()
    {
    }

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        using (_channel)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task outdated = RequestOutdatedAsync(session.Token);
                Task reopen = outdated.ContinueWith(_ => session.Cancel(), session.Token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                await _reconnect.RunAsync((connected, token) => StreamAsync(sink, connected, token), session.Token).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                OnReopened();
                await outdated.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
                await reopen.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private async Task StreamAsync(IEventSink sink, Action connected, CancellationToken cancellationToken)
    {
        using var requestsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        StreamingCall<TResponse> call = Start(_channel.CreateCallInvoker(), new CallOptions(cancellationToken: cancellationToken), requestsStop.Token);
        try
        {
            await call.Headers.ConfigureAwait(false);
            connected();
            while (await call.Responses.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                Received<TResponse> received = call.Responses.Current;
                if (received.Message is null)
                {
                    _decodeErrors.Report(received.Malformed!);
                    continue;
                }

                if (TryMap(received.Message) is { } mapped)
                {
                    Counters.CountEvent(mapped.Name);
                    await sink.PublishAsync(mapped, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            await requestsStop.CancelAsync().ConfigureAwait(false);
            call.Dispose();
            await call.Requests.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    /// <summary>Any failure to map one message is a named skip; nothing thrown here ends the stream.</summary>
    private SecurityEvent? TryMap(TResponse response)
    {
        try
        {
            return Map(response);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _decodeErrors.Report(ex is EventDecodeException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
            return null;
        }
    }
}

/// <summary>One open streaming call: its responses, its response headers, the task writing its requests, and the call to dispose.</summary>
internal sealed record StreamingCall<TResponse>(IAsyncStreamReader<Received<TResponse>> Responses, Task<Metadata> Headers, Task Requests, IDisposable Call) : IDisposable
    where TResponse : class
{
    public void Dispose() => Call.Dispose();
}
