using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sigs.Host.Collections;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Host.Nats;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.Nats;

/// <summary>
/// A correlator's input: forwarded events from JetStream, one durable pull consumer per owned partition
/// (<c>&lt;durable&gt;-&lt;partition&gt;</c> on <c>sigs.events.&lt;partition&gt;</c>), so a restarted instance resumes with
/// what it had not acknowledged. Events are put back in event-time order within the lateness bound
/// (<see cref="EventTimeOrder{T}"/>), and each message is acknowledged only after the engine processed its event and
/// handed its findings to the outputs (at-least-once). A message whose id was processed already is skipped and
/// counted. A bad message (too large, another schema version, not a contract event) is counted, logged and
/// terminated, so it is not delivered again. JetStream stops delivering past <c>maxAckPending</c> per partition:
/// memory is bounded and a slow engine pushes back on the stream instead of growing.
/// </summary>
internal sealed partial class NatsFeed(NatsFeedOptions options, ILogger logger, ILoggerFactory loggerFactory, ReconnectDelays delays, TimeProvider clock) : IEventFeed
{
    private const string MessageIdHeader = "Nats-Msg-Id";
    private static readonly TimeSpan ReleaseInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StateInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _idsLock = new();
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly BoundedMap<string, bool> _processed = new(Math.Max(100_000, options.MaxAckPending * options.Partitions.Count * 4), StringComparer.Ordinal);
    private long _redelivered;
    private long _deduplicated;

    public string Name => $"nats:{options.Durable}";

    public FeedCounters Counters { get; } = new();

    private DecodeErrorLog Errors => field ??= new DecodeErrorLog(Name, Counters, logger);

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        await using var link = new NatsLink(options, $"feed:{options.Durable}", loggerFactory);
        await link.ConnectAsync(delays, clock, cancellationToken).ConfigureAwait(false);
        await EventSubjects.EnsureStreamAsync(link.JetStream, options.Stream, EventSubjects.Prefix + ">", TimeSpan.FromDays(1), cancellationToken).ConfigureAwait(false);
        List<INatsJSConsumer> consumers = [];
        foreach (int partition in options.Partitions)
        {
            consumers.Add(await link.JetStream.CreateOrUpdateConsumerAsync(options.Stream, ConsumerFor(partition), cancellationToken).ConfigureAwait(false));
        }

        Counters.SetConnected(true);
        LogConsuming(logger, Name, string.Join(", ", options.Partitions), options.Stream);
        var incoming = Channel.CreateBounded<NatsJSMsg<byte[]>>(new BoundedChannelOptions(Math.Min(options.MaxAckPending, 10_000)) { SingleReader = true });
        var acks = Channel.CreateUnbounded<Accepted>(new UnboundedChannelOptions { SingleReader = true });
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] helpers =
        [
            .. consumers.Select(consumer => PullAsync(consumer, incoming.Writer, stopping.Token)),
            AcknowledgeAsync(acks.Reader, stopping.Token),
            WatchStateAsync(link, consumers, stopping.Token),
        ];
        try
        {
            await OrderAsync(incoming.Reader, sink, acks.Writer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            acks.Writer.TryComplete();
            await Task.WhenAll(helpers).ConfigureAwait(false);
            Counters.SetConnected(false);
        }
    }

    private ConsumerConfig ConsumerFor(int partition) => new($"{options.Durable}-{partition}")
    {
        DurableName = $"{options.Durable}-{partition}",
        FilterSubject = EventSubjects.Of(partition),
        AckPolicy = ConsumerConfigAckPolicy.Explicit,
        DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        AckWait = TimeSpan.FromSeconds(options.AckWaitSeconds),
        MaxAckPending = options.MaxAckPending,
        MaxDeliver = -1,
    };

    /// <summary>The engine side: accepts messages, holds them in event-time order, and hands out what may leave.</summary>
    private async Task OrderAsync(ChannelReader<NatsJSMsg<byte[]>> incoming, IEventSink sink, ChannelWriter<Accepted> acks, CancellationToken cancellationToken)
    {
        var order = new EventTimeOrder<Accepted>(TimeSpan.FromSeconds(options.LatenessSeconds), options.MaxAckPending * options.Partitions.Count);
        var ready = new List<Accepted>();
        Task<bool> next = incoming.WaitToReadAsync(cancellationToken).AsTask();
        while (true)
        {
            if (await Task.WhenAny(next, Task.Delay(ReleaseInterval, clock, cancellationToken)).ConfigureAwait(false) == next)
            {
                if (!await next.ConfigureAwait(false))
                {
                    return;
                }

                next = incoming.WaitToReadAsync(cancellationToken).AsTask();
            }

            cancellationToken.ThrowIfCancellationRequested();
            while (ready.Count < 10_000 && incoming.TryRead(out NatsJSMsg<byte[]> message))
            {
                if (await AcceptAsync(message, acks, cancellationToken).ConfigureAwait(false) is { } accepted
                    && !order.Add(accepted, accepted.Event.Time, clock.GetTimestamp()))
                {
                    ready.Add(accepted); // late: at once
                }
            }

            order.Release(clock.GetTimestamp(), clock.TimestampFrequency, ready);
            foreach (Accepted accepted in ready)
            {
                await sink.PublishAsync(accepted.Event, () => acks.TryWrite(accepted), cancellationToken).ConfigureAwait(false);
            }

            ready.Clear();
            Counters.SetGauge(FeedGauge.NatsLate, order.Late);
        }
    }

    /// <summary>Checks and decodes one message; null when it was bad (terminated) or a duplicate (skipped).</summary>
    private async ValueTask<Accepted?> AcceptAsync(NatsJSMsg<byte[]> message, ChannelWriter<Accepted> acks, CancellationToken cancellationToken)
    {
        ulong sequence = message.Metadata?.Sequence.Stream ?? 0;
        if (message.Metadata?.NumDelivered > 1)
        {
            Counters.SetGauge(FeedGauge.NatsRedelivered, Interlocked.Increment(ref _redelivered));
        }

        string? problem = Problem(message, out SecurityEvent? securityEvent);
        if (problem is not null)
        {
            Errors.Report($"{message.Subject} message {sequence}: {problem}; terminated (not delivered again)");
            await TryAsync(message.AckTerminateAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
            return null;
        }

        string id = message.Headers is { } headers && headers.TryGetValue(MessageIdHeader, out var ids) && ids.Count > 0 && ids[0] is { Length: > 0 } given
            ? given
            : $"{options.Stream}-{sequence}";
        var accepted = new Accepted(securityEvent!, message, id);
        lock (_idsLock)
        {
            if (_processed.TryGetValue(id, out _) || !_inFlight.Add(id))
            {
                // Processed already (its acknowledgement was lost), or delivered again while the first copy waits.
                Counters.SetGauge(FeedGauge.NatsDeduplicated, Interlocked.Increment(ref _deduplicated));
                bool done = _processed.TryGetValue(id, out _);
                if (done)
                {
                    acks.TryWrite(accepted with { Duplicate = true });
                }

                return null;
            }
        }

        Counters.CountEvent(securityEvent!.Name);
        return accepted;
    }

    private static string? Problem(NatsJSMsg<byte[]> message, out SecurityEvent? securityEvent)
    {
        securityEvent = null;
        if (message.Data is not { Length: > 0 } body)
        {
            return "empty message";
        }

        if (body.Length > EventSubjects.MaxBodyBytes)
        {
            return $"{body.Length} bytes, more than the {EventSubjects.MaxBodyBytes} an event may have";
        }

        string? schema = message.Headers is { } headers && headers.TryGetValue(EventSubjects.SchemaHeader, out var values) ? values.ToString() : null;
        if (schema != EventSubjects.SchemaVersion)
        {
            return schema is null ? $"no {EventSubjects.SchemaHeader} header (not from a Sigs forward)" : $"schema version '{schema}' is not {EventSubjects.SchemaVersion}";
        }

        DecodedInput decoded = JsonLineDecoder.DecodeContract(body);
        if (decoded.Refused)
        {
            return decoded.Problems[0];
        }

        securityEvent = decoded.Events[0];
        return null;
    }

    /// <summary>One consumer's messages into the shared channel; a broken pull is started again with backoff.</summary>
    private async Task PullAsync(INatsJSConsumer consumer, ChannelWriter<NatsJSMsg<byte[]>> incoming, CancellationToken stopping)
    {
        var backoff = new Backoff(delays.Initial, delays.Maximum);
        var pull = new NatsJSConsumeOpts { MaxMsgs = Math.Min(1_000, options.MaxAckPending) };
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await foreach (NatsJSMsg<byte[]> message in consumer.ConsumeAsync<byte[]>(opts: pull, cancellationToken: stopping).ConfigureAwait(false))
                {
                    await incoming.WriteAsync(message, stopping).ConfigureAwait(false);
                    backoff.Reset();
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NatsException or NatsJSException)
            {
                Counters.CountReconnect();
                TimeSpan delay = backoff.Next();
                LogPullFailed(logger, Name, consumer.Info.Name, ex.Message, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, clock, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Acknowledges processed messages, and remembers their ids for deduplication.</summary>
    private async Task AcknowledgeAsync(ChannelReader<Accepted> acks, CancellationToken stopping)
    {
        try
        {
            await foreach (Accepted accepted in acks.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                await TryAsync(accepted.Message.AckAsync(cancellationToken: stopping)).ConfigureAwait(false);
                if (!accepted.Duplicate)
                {
                    lock (_idsLock)
                    {
                        _inFlight.Remove(accepted.Id);
                        _processed.Set(accepted.Id, true);
                        Counters.SetGauge(FeedGauge.NatsUnacknowledged, _inFlight.Count);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: what was not acknowledged is delivered again to the next start.
        }
    }

    /// <summary>Connection state and consumer pending, for /healthz and /metrics.</summary>
    private async Task WatchStateAsync(NatsLink link, List<INatsJSConsumer> consumers, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(StateInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                Counters.SetConnected(link.Connected);
                long pending = 0;
                foreach (INatsJSConsumer consumer in consumers)
                {
                    try
                    {
                        await consumer.RefreshAsync(stopping).ConfigureAwait(false);
                        pending += (long)consumer.Info.NumPending;
                    }
                    catch (Exception ex) when (ex is NatsException or NatsJSException)
                    {
                        // Not connected now: keep the last value.
                    }
                }

                Counters.SetGauge(FeedGauge.NatsPending, pending);
                lock (_idsLock)
                {
                    Counters.SetGauge(FeedGauge.NatsUnacknowledged, _inFlight.Count);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>An acknowledgement that cannot be sent now is not an error: the message is delivered again and deduplicated.</summary>
    private static async ValueTask TryAsync(ValueTask acknowledgement)
    {
        try
        {
            await acknowledgement.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException)
        {
        }
    }

    private sealed record Accepted(SecurityEvent Event, NatsJSMsg<byte[]> Message, string Id, bool Duplicate = false);
}
