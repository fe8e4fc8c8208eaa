using System.IO.Hashing;
using System.Text;
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
/// (<c>&lt;durable&gt;-&lt;partition&gt;</c> on <c>sigs.events.&lt;partition&gt;</c>), each message one or more
/// events (<see cref="PackedEvents"/>). Events are put back in event-time
/// order within the lateness bound (<see cref="EventTimeOrder{T}"/>). Acknowledgement is cumulative (JetStream's
/// <c>AckAll</c>) and in delivery order: a message is acknowledged once it and every message delivered before it were
/// processed by the engine (every event of theirs, and its findings handed to the outputs), so the consumer's ack floor is exactly what was
/// processed. After a restart (or <c>kill -9</c>), the feed first replays the <c>replaySeconds</c> before the ack
/// floor only to rebuild the signatures' state (their findings were reported then), and then takes what was not
/// acknowledged: nothing is lost, and a sequence half-seen before the crash still completes. A message whose id
/// was processed already is skipped and counted. A bad message (too large, another schema version, no contract
/// event) is counted, logged and terminated; a bad line among good ones is counted, logged and skipped. JetStream
/// stops delivering past <c>maxAckPending</c> messages per partition, at most <c>maxAckPending</c> events per
/// partition wait for their time, and pulls are bounded, so memory is bounded and a slow engine pushes back
/// on the stream.
/// </summary>
internal sealed partial class NatsFeed(NatsFeedOptions options, ILogger logger, ILoggerFactory loggerFactory, ReconnectDelays delays, TimeProvider clock) : IEventFeed
{
    private const string MessageIdHeader = "Nats-Msg-Id";

    /// <summary>The longest message id taken (a forward's are a hash of its sender, its start time, pid and a number: under 60 characters).</summary>
    public const int MaxMessageIdLength = 256;
    private static readonly TimeSpan ReleaseInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StateInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Messages one pull may bring, at most: up to 16 MiB of packed events (64 KiB a message). Bounded by count, not
    /// bytes: a pull bounded in bytes ends when the next message does not fit (one test run, unexplained, waited out
    /// a pull's expiry with it).
    /// </summary>
    private const int PullMessages = 256;

    private const int MaxRefusalsLogged = 1024;
    private readonly HashSet<(string Sender, string Reason)> _refusalsLogged = [];
    private readonly Lock _idsLock = new();
    private readonly HashSet<UInt128> _inFlight = [];
    // Message ids are kept as 128-bit hashes: 16 bytes each (plus the map's own), whatever a sender puts in the header.
    private readonly BoundedMap<UInt128, bool> _processed = new(Math.Max(100_000, options.MaxAckPending * options.Partitions.Count * 4));
    private long _redelivered;
    private long _deduplicated;

    public string Name => $"nats:{options.Durable}";

    public FeedCounters Counters { get; } = new();

    public TimeSpan Lateness => TimeSpan.FromSeconds(options.LatenessSeconds);

    /// <summary>Events replayed at start to rebuild state, so far.</summary>
    public long Replayed { get; private set; }

    private DecodeErrorLog Errors => field ??= new DecodeErrorLog(Name, Counters, logger);

    public async Task RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        await using var link = new NatsLink(options, $"feed:{options.Durable}", loggerFactory);
        await link.ConnectAsync(delays, clock, cancellationToken).ConfigureAwait(false);
        await EventSubjects.EnsureStreamAsync(link.JetStream, options.Stream, EventSubjects.Prefix + ">", TimeSpan.FromDays(1), cancellationToken).ConfigureAwait(false);
        List<(int Partition, INatsJSConsumer Consumer)> consumers = [];
        foreach (int partition in options.Partitions)
        {
            INatsJSConsumer consumer = await link.JetStream.CreateOrUpdateConsumerAsync(options.Stream, ConsumerFor(partition), cancellationToken).ConfigureAwait(false);
            ulong floor = consumer.Info.AckFloor.StreamSeq;
            if (consumer.Info.NumAckPending > 0)
            {
                // An earlier run stopped with messages delivered and not processed. They would wait out the ack wait;
                // as acknowledgement is in order, everything after the floor is unprocessed: start again right after it.
                await link.JetStream.DeleteConsumerAsync(options.Stream, consumer.Info.Name, cancellationToken).ConfigureAwait(false);
                consumer = await link.JetStream.CreateOrUpdateConsumerAsync(options.Stream, ConsumerFor(partition) with
                {
                    DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
                    OptStartSeq = floor + 1,
                }, cancellationToken).ConfigureAwait(false);
            }

            await ReplayAsync(link.JetStream, partition, floor, sink, cancellationToken).ConfigureAwait(false);
            consumers.Add((partition, consumer));
        }

        Counters.SetConnected(true);
        LogConsuming(logger, Name, string.Join(", ", options.Partitions), options.Stream, Replayed);
        var incoming = Channel.CreateBounded<Tracked>(new BoundedChannelOptions(Math.Min(options.MaxAckPending, 256)) { SingleReader = true });
        var notes = Channel.CreateUnbounded<AckNote>(new UnboundedChannelOptions { SingleReader = true });
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] helpers =
        [
            .. consumers.Select(c => PullAsync(c.Partition, c.Consumer, incoming.Writer, stopping.Token)),
            AcknowledgeAsync(notes.Reader, stopping.Token),
            WatchStateAsync(link, [.. consumers.Select(c => c.Consumer)], stopping.Token),
        ];
        try
        {
            await OrderAsync(incoming.Reader, sink, notes.Writer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            notes.Writer.TryComplete();
            await Task.WhenAll(helpers).ConfigureAwait(false);
            Counters.SetConnected(false);
        }
    }

    private ConsumerConfig ConsumerFor(int partition) => new($"{options.Durable}-{partition}")
    {
        DurableName = $"{options.Durable}-{partition}",
        FilterSubject = EventSubjects.Partition(partition),
        AckPolicy = ConsumerConfigAckPolicy.All,
        DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        AckWait = TimeSpan.FromSeconds(options.AckWaitSeconds),
        MaxAckPending = options.MaxAckPending,
        MaxDeliver = -1,
    };

    /// <summary>
    /// Rebuilds state after a restart: the partition's events from <c>replaySeconds</c> before the ack floor up to
    /// it (all processed before) run through the signatures with their findings held back.
    /// </summary>
    private async Task ReplayAsync(INatsJSContext jetStream, int partition, ulong floor, IEventSink sink, CancellationToken cancellationToken)
    {
        if (floor == 0 || options.ReplaySeconds == 0)
        {
            return;
        }

        DateTimeOffset from;
        try
        {
            INatsJSStream stream = await jetStream.GetStreamAsync(options.Stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            StreamMsgGetResponse last = await stream.GetAsync(new StreamMsgGetRequest { Seq = floor }, cancellationToken).ConfigureAwait(false);
            from = last.Message.Time - TimeSpan.FromSeconds(options.ReplaySeconds);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            return; // aged out of the stream: nothing recent to rebuild from
        }

        // A consumer of its own name (not an ordered one's random name), so NATS's permissions can allow exactly it.
        string replayName = $"{options.Durable}-{partition}-replay";
        INatsJSConsumer replay = await jetStream.CreateOrUpdateConsumerAsync(options.Stream, new ConsumerConfig(replayName)
        {
            FilterSubject = EventSubjects.Partition(partition),
            DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartTime,
            OptStartTime = from,
            AckPolicy = ConsumerConfigAckPolicy.None,
            InactiveThreshold = TimeSpan.FromMinutes(1),
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            await ReplayFromAsync(replay, floor, sink, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await jetStream.DeleteConsumerAsync(options.Stream, replayName, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsException or NatsJSException)
            {
                // Gone by itself after a minute of inactivity.
            }
        }
    }

    private async Task ReplayFromAsync(INatsJSConsumer replay, ulong floor, IEventSink sink, CancellationToken cancellationToken)
    {
        if (replay.Info.NumPending == 0)
        {
            return;
        }

        await foreach (NatsJSMsg<byte[]> message in replay.ConsumeAsync<byte[]>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            ulong sequence = message.Metadata?.Sequence.Stream ?? 0;
            if (sequence > floor)
            {
                break;
            }

            DecodedMessage decoded = Decode(message.Data, message.Headers, message.Subject, countRefusals: false); // counted the first time
            if (decoded.Problem is null && decoded.Events.Count > 0)
            {
                lock (_idsLock)
                {
                    _processed.Set(IdOf(message.Headers, sequence), true);
                }

                foreach (SecurityEvent securityEvent in decoded.Events)
                {
                    await sink.ReplayAsync(securityEvent, cancellationToken).ConfigureAwait(false);
                    Replayed++;
                }
            }

            if (sequence == floor)
            {
                break;
            }
        }
    }

    /// <summary>The engine side: accepts messages, holds them in event-time order, and hands out what may leave.</summary>
    private async Task OrderAsync(ChannelReader<Tracked> incoming, IEventSink sink, ChannelWriter<AckNote> notes, CancellationToken cancellationToken)
    {
        var order = new EventTimeOrder<Held>(TimeSpan.FromSeconds(options.LatenessSeconds), options.MaxAckPending * options.Partitions.Count);
        var ready = new List<Held>();
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
            while (ready.Count < 10_000 && incoming.TryRead(out Tracked? tracked))
            {
                notes.TryWrite(new AckNote(tracked, Delivered: true));
                if (await AcceptAsync(tracked, notes, cancellationToken).ConfigureAwait(false))
                {
                    long now = clock.GetTimestamp();
                    foreach (SecurityEvent securityEvent in tracked.Events)
                    {
                        var held = new Held(tracked, securityEvent);
                        if (!order.Add(held, securityEvent.Time, now))
                        {
                            ready.Add(held); // late: at once
                        }
                    }
                }
                else
                {
                    notes.TryWrite(new AckNote(tracked, Delivered: false));
                }
            }

            order.Release(clock.GetTimestamp(), clock.TimestampFrequency, ready);
            foreach (Held held in ready)
            {
                await sink.PublishAsync(held.Event, held.Message.Processed!, cancellationToken).ConfigureAwait(false);
            }

            ready.Clear();
            Counters.SetGauge(FeedGauge.NatsLate, order.Late);
        }
    }

    /// <summary>Checks and decodes one message; false when it was bad (terminated) or a duplicate (skipped).</summary>
    private async ValueTask<bool> AcceptAsync(Tracked tracked, ChannelWriter<AckNote> notes, CancellationToken cancellationToken)
    {
        NatsJSMsg<NatsMemoryOwner<byte>> message = tracked.Message;
        ulong sequence = message.Metadata?.Sequence.Stream ?? 0;
        if (message.Metadata?.NumDelivered > 1)
        {
            Counters.SetGauge(FeedGauge.NatsRedelivered, Interlocked.Increment(ref _redelivered));
        }

        (string? problem, List<SecurityEvent> events, List<(int Line, string Problem)> badLines, int refused) = tracked.Decoded;
        string outcome = problem is null && events.Count > 0 ? "skipped (the message's other events are kept)" : "terminated (not delivered again)";
        if (problem is not null)
        {
            Errors.Report($"{message.Subject} message {sequence}: {problem}; {outcome}");
        }

        foreach ((int line, string lineProblem) in badLines)
        {
            Errors.Report($"{message.Subject} message {sequence}{(line > 1 || events.Count + badLines.Count > 1 ? $" line {line}" : "")}: {lineProblem}; {outcome}");
        }

        if (events.Count == 0)
        {
            if (problem is null && badLines.Count == 0 && refused == 0)
            {
                Errors.Report($"{message.Subject} message {sequence}: no event in it; {outcome}");
            }

            await TryAsync(message.AckTerminateAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
            return false;
        }

        UInt128 id = IdOf(message.Headers, sequence);
        lock (_idsLock)
        {
            if (_processed.TryGetValue(id, out _) || !_inFlight.Add(id))
            {
                // Processed already (before a restart, or its acknowledgement was lost), or delivered again while the first copy waits.
                Counters.SetGauge(FeedGauge.NatsDeduplicated, Interlocked.Increment(ref _deduplicated));
                return false;
            }
        }

        tracked.Accept(id, () => notes.TryWrite(new AckNote(tracked, Delivered: false)));
        foreach (SecurityEvent securityEvent in events)
        {
            Counters.CountEvent(securityEvent.Name);
        }

        return true;
    }

    /// <summary>The message's id (its <c>Nats-Msg-Id</c>, else stream and sequence) as a 128-bit hash.</summary>
    private UInt128 IdOf(NatsHeaders? headers, ulong sequence) => XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(
        headers is not null && headers.TryGetValue(MessageIdHeader, out var ids) && ids.Count > 0 && ids[0] is { Length: > 0 } given
            ? given
            : $"{options.Stream}-{sequence}"));

    /// <summary>
    /// A message's events, each bound to its sender (<see cref="SenderBinding"/>): what is wrong with the message as a
    /// whole (or null), the events taken, the lines that were not events, and how many events were refused.
    /// </summary>
    private DecodedMessage Decode(ReadOnlyMemory<byte> body, NatsHeaders? headers, string subject, bool countRefusals = true)
    {
        var events = new List<SecurityEvent>();
        var badLines = new List<(int Line, string Problem)>();
        string? problem = Problem(body, headers, events, badLines);
        (string Role, string Sender)? origin = EventSubjects.OriginOf(subject);
        int refused = 0;
        for (int i = 0; i < events.Count; i++)
        {
            if (SenderBinding.Bind(events[i], origin, out string? reason) is { } bound)
            {
                events[i] = bound;
                continue;
            }

            if (countRefusals)
            {
                Refuse(origin?.Sender ?? subject, reason!);
            }

            events.RemoveAt(i--);
            refused++;
        }

        return new DecodedMessage(problem, events, badLines, refused);
    }

    /// <summary>Counts a refused event, and logs it once per sender and reason (for the first senders, a bounded set).</summary>
    private void Refuse(string sender, string reason)
    {
        Counters.CountRefused(reason);
        lock (_refusalsLogged)
        {
            if (_refusalsLogged.Count >= MaxRefusalsLogged || !_refusalsLogged.Add((sender, reason)))
            {
                return;
            }
        }

        LogRefused(logger, Name, sender, SenderBinding.Describe(reason), reason);
    }

    /// <summary>What is wrong with the message as a whole, or null; its events, and the lines that were not events, are added to the lists.</summary>
    private static string? Problem(ReadOnlyMemory<byte> body, NatsHeaders? headers, List<SecurityEvent> events, List<(int Line, string Problem)> badLines)
    {
        if (body.IsEmpty)
        {
            return "empty message";
        }

        if (body.Length > EventSubjects.MaxMessageBytes)
        {
            return $"{body.Length} bytes, more than the {EventSubjects.MaxMessageBytes} a message may have";
        }

        if (headers is not null && headers.TryGetValue(MessageIdHeader, out var ids) && ids.Sum(id => id?.Length ?? 0) > MaxMessageIdLength)
        {
            return $"a {MessageIdHeader} of {ids.Sum(id => id?.Length ?? 0)} characters, more than the {MaxMessageIdLength} a Sigs forward's may have";
        }

        string? schema = headers is not null && headers.TryGetValue(EventSubjects.SchemaHeader, out var values) ? values.ToString() : null;
        if (schema != EventSubjects.SchemaVersion)
        {
            return schema is null ? $"no {EventSubjects.SchemaHeader} header (not from a Sigs forward)" : $"schema version '{schema}' is not {EventSubjects.SchemaVersion}";
        }

        PackedEvents.Unpack(body, events, badLines);
        return null;
    }

    /// <summary>One consumer's messages into the shared channel; a broken pull is started again with backoff.</summary>
    private async Task PullAsync(int partition, INatsJSConsumer consumer, ChannelWriter<Tracked> incoming, CancellationToken stopping)
    {
        var backoff = new Backoff(delays.Initial, delays.Maximum);
        var pull = new NatsJSConsumeOpts { MaxMsgs = Math.Min(PullMessages, options.MaxAckPending) };
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Bodies in pooled buffers, given back once decoded: a message waiting for its events' time holds no body.
                await foreach (NatsJSMsg<NatsMemoryOwner<byte>> message in consumer.ConsumeAsync<NatsMemoryOwner<byte>>(opts: pull, cancellationToken: stopping).ConfigureAwait(false))
                {
                    // Decoded here, a thread per partition, so the ordering loop is free for ordering and handing on.
                    var tracked = new Tracked(message, partition);
                    using (NatsMemoryOwner<byte> body = message.Data)
                    {
                        tracked.Decoded = Decode(body.Memory, message.Headers, message.Subject);
                    }

                    await incoming.WriteAsync(tracked, stopping).ConfigureAwait(false);
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

    /// <summary>
    /// Acknowledges in delivery order: per partition, once the oldest delivered messages are done, the last of
    /// them is acknowledged (cumulatively). Processed ids are remembered for deduplication.
    /// </summary>
    private async Task AcknowledgeAsync(ChannelReader<AckNote> notes, CancellationToken stopping)
    {
        var delivered = options.Partitions.ToDictionary(p => p, _ => new Queue<Tracked>());
        var touched = new HashSet<int>();
        try
        {
            while (await notes.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (notes.TryRead(out AckNote note))
                {
                    if (note.Delivered)
                    {
                        delivered[note.Entry.Partition].Enqueue(note.Entry);
                        continue;
                    }

                    note.Entry.Done = true;
                    touched.Add(note.Entry.Partition);
                    if (note.Entry.Id is { } id)
                    {
                        lock (_idsLock)
                        {
                            _inFlight.Remove(id);
                            _processed.Set(id, true);
                        }
                    }
                }

                foreach (int partition in touched)
                {
                    Tracked? last = null;
                    Queue<Tracked> queue = delivered[partition];
                    while (queue.TryPeek(out Tracked? oldest) && oldest.Done)
                    {
                        last = queue.Dequeue();
                    }

                    if (last is not null)
                    {
                        await TryAsync(last.Message.AckAsync(cancellationToken: stopping)).ConfigureAwait(false);
                    }
                }

                touched.Clear();
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

    /// <summary>One delivered message on its way: decoded, then done (every event processed, or bad, or a duplicate).</summary>
    private sealed class Tracked(NatsJSMsg<NatsMemoryOwner<byte>> message, int partition)
    {
        private int _unprocessed;

        public NatsJSMsg<NatsMemoryOwner<byte>> Message { get; } = message;

        public int Partition { get; } = partition;

        /// <summary>What is wrong with the message as a whole (or null), its events, its lines that were not events, and its refused events.</summary>
        public DecodedMessage Decoded { get; set; } = new(null, [], [], 0);

        public IReadOnlyList<SecurityEvent> Events => Decoded.Events;

        /// <summary>Its message id once accepted; null for a bad message or a duplicate.</summary>
        public UInt128? Id { get; private set; }

        /// <summary>Called as each of its events is processed; the last call says the message is done.</summary>
        public Action? Processed { get; private set; }

        public bool Done { get; set; }

        public void Accept(UInt128 id, Action done)
        {
            Id = id;
            _unprocessed = Events.Count;
            Processed = () =>
            {
                if (Interlocked.Decrement(ref _unprocessed) == 0)
                {
                    done();
                }
            };
        }
    }

    /// <summary>A decoded message: its problem as a whole (or null), the events taken, its bad lines, and how many events were refused.</summary>
    private sealed record DecodedMessage(string? Problem, List<SecurityEvent> Events, List<(int Line, string Problem)> BadLines, int Refused);

    /// <summary>One event waiting for its time, and the message it came in.</summary>
    private readonly record struct Held(Tracked Message, SecurityEvent Event);

    /// <summary>To the acknowledging loop: a message was delivered (in order), or is done.</summary>
    private readonly record struct AckNote(Tracked Entry, bool Delivered);
}
