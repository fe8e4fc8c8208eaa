using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Sigs.Host.Common;
using Sigs.Host.Nats;
using Sigs.Plugins;

namespace Sigs.Host.Forwarding;

/// <summary>
/// Publishes forwarded events to JetStream in batches: the events wait in a bounded queue, are packed
/// (<see cref="EventPacker"/>) into messages on <c>sigs.events.&lt;partition&gt;.&lt;role&gt;.&lt;sender&gt;</c>, each with a message
/// id unique to this run, and handed to a <see cref="Delivery{T}"/>, which publishes each batch asynchronously and
/// counts it only once JetStream acknowledged it (a batch sent again after a failure is deduplicated by the stream's
/// duplicate window instead of doubled). A batch that fails, and every one after it until they are sent, goes to the
/// spool (<see cref="SpoolWhen.Behind"/>), so events go out in order. Overflow is dropped, counted and logged.
/// </summary>
internal sealed class NatsEventPublisher : IEventPublisher
{
    public const int BatchSize = 4096;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(5);
    private static readonly Dictionary<string, string> SchemaHeaders = new() { [EventSubjects.SchemaHeader] = EventSubjects.SchemaVersion };

    private readonly NatsForwardOptions _options;
    private readonly NatsLink _link;
    private readonly Channel<Outgoing> _queue;
    private readonly Delivery<List<JetStreamMessage>> _delivery;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly ReconnectDelays _delays;
    private readonly CancellationTokenSource _stop = new();
    private readonly EventPacker _packer;
    private readonly RecordedCount _published = new();
    private readonly RecordedCount _duplicates = new();
    private Task _batching = Task.CompletedTask;
    private JetStreamBatchPublisher? _batches;

    public NatsEventPublisher(NatsForwardOptions options, ILoggerFactory loggerFactory, TimeProvider clock, ReconnectDelays? delays = null)
    {
        _options = options;
        _clock = clock;
        _delays = delays ?? ReconnectDelays.Default;
        _logger = loggerFactory.CreateLogger(LogCategories.Forwarding);
        _link = new NatsLink(options, $"forward:{options.Url}", loggerFactory);
        _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _delivery = new Delivery<List<JetStreamMessage>>(
            new DeliveryNames("Forward", Name, "events"),
            SendAsync,
            SpooledBatches.Form,
            new DiskSpool(options.SpoolDir, ".events", options.SpoolCapacity, clock),
            SpoolWhen.Behind,
            queueCapacity: 2,
            _logger,
            _delays,
            clock);

        // Message ids are unique across senders (the stream deduplicates over all subjects) and short whatever the sender's name.
        ulong senderHash = System.IO.Hashing.XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(options.SenderName));
        _packer = new EventPacker($"{senderHash:x16}-{clock.GetUtcNow().ToUnixTimeMilliseconds():x}-{Environment.ProcessId:x}", options.SenderName);
    }

    public string Name => $"nats:{_options.Url}";

    public int Partitions => _options.Partitions;

    public void Attach(SigsInstruments instruments)
    {
        _published.Attach(instruments, instruments.ForwardPublished, SigsInstruments.Tag("forward", Name));
        _duplicates.Attach(instruments, instruments.ForwardDuplicates, SigsInstruments.Tag("forward", Name));
        _delivery.Retries.Attach(instruments, instruments.ForwardRetries, SigsInstruments.Tag("forward", Name));
        _delivery.Dropped.Attach(instruments, instruments.Drops, SigsInstruments.DropTags("forward", Name));
    }

    public ForwardCounts Counts => new(
        _published.Value,
        _duplicates.Value,
        _delivery.Retries.Value,
        _delivery.Dropped.Value,
        _delivery.Spooled,
        _queue.Reader.Count,
        _link.Connected,
        _delivery.Delivering && _link.Connected,
        _delivery.SpoolProblem);

    public void Start()
    {
        _delivery.Start(ConnectAsync);
        _batching = Task.Run(() => BatchAsync(_stop.Token));
    }

    public void Publish(SecurityEvent securityEvent, int partition)
    {
        if (!_queue.Writer.TryWrite(new Outgoing(securityEvent, partition)))
        {
            _delivery.Drop(1, "an event", "the queue is full");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (await Task.WhenAny(_batching, Task.Delay(StopWait)).ConfigureAwait(false) != _batching)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _batching.ConfigureAwait(false);
        }

        // What the batcher did not hand on stays in the spool with the rest (on disk: for the next start).
        var left = new List<Outgoing>();
        while (_queue.Reader.TryRead(out Outgoing outgoing))
        {
            left.Add(outgoing);
        }

        await _delivery.DisposeAsync(left.Count > 0 ? [Encode(left)] : []).ConfigureAwait(false);
        if (_batches is not null)
        {
            await _batches.DisposeAsync().ConfigureAwait(false);
        }

        await _link.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Before the first send: connected, the stream there, acknowledgements read. A failure is the delivery's to retry.</summary>
    private async Task ConnectAsync(CancellationToken stopping)
    {
        await _link.ConnectAsync(_delays, _clock, stopping).ConfigureAwait(false);
        try
        {
            await EventSubjects.EnsureStreamAsync(_link.JetStream, _options.Stream, EventSubjects.Prefix + ">", TimeSpan.FromSeconds(_options.MaxAgeSeconds), stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or NatsJSException)
        {
            throw new NatsException($"cannot find or create stream {_options.Stream}: {ex.Message}", ex);
        }

        if (_batches is null)
        {
            var batches = new JetStreamBatchPublisher(_link.Connection);
            try
            {
                await batches.StartAsync(stopping).ConfigureAwait(false);
            }
            catch
            {
                await batches.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _batches = batches;
        }
    }

    /// <summary>Hands the queued events on in batches of up to <see cref="BatchSize"/>, as they come.</summary>
    private async Task BatchAsync(CancellationToken stopping)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                var batch = new List<Outgoing>(Math.Min(BatchSize, _queue.Reader.Count));
                while (batch.Count < BatchSize && _queue.Reader.TryRead(out Outgoing outgoing))
                {
                    batch.Add(outgoing);
                }

                if (batch.Count > 0)
                {
                    await _delivery.WriteAsync(Encode(batch), stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: DisposeAsync keeps what is left.
        }
    }

    /// <summary>Publishes every message and waits for every acknowledgement; failed when any failed (the batch is sent again as a whole).</summary>
    private async Task<DeliveryResult> SendAsync(List<JetStreamMessage> messages, CancellationToken stopping)
    {
        BatchResult result = await _batches!.PublishAsync(messages, SchemaHeaders, SendTimeout, stopping).ConfigureAwait(false);
        _published.Add(result.Acknowledged);
        _duplicates.Add(result.Duplicates);
        return result.Failure is null ? DeliveryResult.Delivered : DeliveryResult.Failed(result.Failure);
    }

    private List<JetStreamMessage> Encode(List<Outgoing> batch) => _packer.Pack(batch.Select(o => (o.Event, o.Partition)));

    private readonly record struct Outgoing(SecurityEvent Event, int Partition);
}
