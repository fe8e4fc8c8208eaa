using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sigs.Host.Common;
using Sigs.Host.Contract;
using Sigs.Host.Nats;
using Sigs.Plugins;

namespace Sigs.Host.Forwarding;

/// <summary>
/// Publishes forwarded events to JetStream in batches: the events are packed (<see cref="EventPacker"/>) into messages
/// on <c>sigs.events.&lt;partition&gt;.&lt;role&gt;.&lt;sender&gt;</c>, each with a message id unique to this run, published asynchronously and
/// counted only once JetStream acknowledged them, so a batch sent again after a failure is deduplicated by the
/// stream's duplicate window instead of doubled. A batch that fails goes to the <see cref="DiskSpool"/>; while the
/// spool holds anything, new batches join it, and it is sent oldest first when NATS is back, so events go out in
/// order. Overflow is dropped, counted and logged.
/// </summary>
internal sealed partial class NatsEventPublisher : IEventPublisher
{
    public const int BatchSize = 4096;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private readonly NatsForwardOptions _options;
    private readonly NatsLink _link;
    private readonly DiskSpool _spool;
    private readonly List<SpoolEntry> _waiting;
    private readonly Channel<Outgoing> _queue;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly ReconnectDelays _delays;
    private readonly CancellationTokenSource _stop = new();
    private readonly EventPacker _packer;
    private static readonly Dictionary<string, string> SchemaHeaders = new() { [EventSubjects.SchemaHeader] = EventSubjects.SchemaVersion };

    private Task _sender = Task.CompletedTask;
    private JetStreamBatchPublisher? _batches;
    private readonly RecordedCount _published = new();
    private readonly RecordedCount _duplicates = new();
    private readonly RecordedCount _retries = new();
    private readonly RecordedCount _dropped = new();
    private volatile bool _delivering = true;

    public NatsEventPublisher(NatsForwardOptions options, ILoggerFactory loggerFactory, TimeProvider clock, ReconnectDelays? delays = null)
    {
        _options = options;
        _clock = clock;
        _delays = delays ?? ReconnectDelays.Default;
        _logger = loggerFactory.CreateLogger(LogCategories.Forwarding);
        _link = new NatsLink(options, $"forward:{options.Url}", loggerFactory);
        _spool = new DiskSpool(options.SpoolDir, ".events", options.SpoolCapacity, clock);
        _waiting = [.. _spool.Existing];
        _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        // Message ids are unique across senders (the stream deduplicates over all subjects) and short whatever the sender's name.
        ulong senderHash = System.IO.Hashing.XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(options.SenderName));
        _packer = new EventPacker($"{senderHash:x16}-{clock.GetUtcNow().ToUnixTimeMilliseconds():x}-{Environment.ProcessId:x}", options.SenderName);
        if (_waiting.Count > 0)
        {
            _delivering = false;
            LogRequeued(_logger, Name, _waiting.Count, options.SpoolDir!);
        }
    }

    public string Name => $"nats:{_options.Url}";

    public int Partitions => _options.Partitions;

    public void Attach(SigsInstruments instruments)
    {
        _published.Attach(instruments, instruments.ForwardPublished, SigsInstruments.Tag("forward", Name));
        _duplicates.Attach(instruments, instruments.ForwardDuplicates, SigsInstruments.Tag("forward", Name));
        _retries.Attach(instruments, instruments.ForwardRetries, SigsInstruments.Tag("forward", Name));
        _dropped.Attach(instruments, instruments.Drops, SigsInstruments.Tag("stage", "forward"), SigsInstruments.Tag("forward", Name));
    }

    public ForwardCounts Counts => new(
        _published.Value,
        _duplicates.Value,
        _retries.Value,
        _dropped.Value,
        _spool.Count,
        _queue.Reader.Count,
        _link.Connected,
        _delivering && _link.Connected,
        _spool.Problem);

    public void Start() => _sender = Task.Run(() => RunAsync(_stop.Token));

    public void Publish(SecurityEvent securityEvent, int partition)
    {
        if (!_queue.Writer.TryWrite(new Outgoing(securityEvent, partition)))
        {
            Drop(1, "the queue is full");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (await Task.WhenAny(_sender, Task.Delay(TimeSpan.FromSeconds(5), _clock)).ConfigureAwait(false) != _sender)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _sender.ConfigureAwait(false);
        }

        // What was not sent stays in the spool (on disk: for the next start).
        var left = new List<Outgoing>();
        while (_queue.Reader.TryRead(out Outgoing outgoing))
        {
            left.Add(outgoing);
        }

        if (left.Count > 0)
        {
            Spool(Encode(left));
        }

        long unsent = _spool.Count;
        if (unsent > 0)
        {
            LogUnsent(_logger, Name, unsent, _spool.Folder is null ? "they are lost" : $"they stay in {_spool.Folder} for the next start");
        }

        if (_batches is not null)
        {
            await _batches.DisposeAsync().ConfigureAwait(false);
        }

        await _link.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await _link.ConnectAsync(_delays, _clock, stopping).ConfigureAwait(false);
            await EnsureStreamAsync(stopping).ConfigureAwait(false);
            _batches = new JetStreamBatchPublisher(_link.Connection);
            await _batches.StartAsync(stopping).ConfigureAwait(false);
            var backoff = new Backoff(_delays.Initial, _delays.Maximum);
            long retryAt = 0;
            while (true)
            {
                if (_waiting.Count == 0)
                {
                    List<Outgoing>? batch = await ReadBatchAsync(stopping).ConfigureAwait(false);
                    if (batch is null)
                    {
                        return; // completed and sent
                    }

                    List<JetStreamMessage> messages = Encode(batch);
                    if (!await SendAsync(messages, stopping).ConfigureAwait(false))
                    {
                        Spool(messages);
                        retryAt = RetryAt(backoff.Next());
                    }

                    continue;
                }

                if (_clock.GetTimestamp() >= retryAt)
                {
                    SpoolEntry oldest = _waiting[0];
                    if (Unspooled(oldest) is not { } spooled)
                    {
                        continue; // unreadable: dropped, counted and logged
                    }

                    if (await SendAsync(spooled, stopping).ConfigureAwait(false))
                    {
                        _spool.Remove(oldest);
                        _waiting.RemoveAt(0);
                        backoff.Reset();
                        if (_waiting.Count == 0)
                        {
                            _delivering = true;
                            LogRecovered(_logger, Name);
                        }

                        continue;
                    }

                    _retries.Add();
                    retryAt = RetryAt(backoff.Next());
                }

                // Waiting to retry: what arrives meanwhile joins the spool behind the rest, so order holds.
                if (TryReadBatch() is { } queued)
                {
                    Spool(Encode(queued));
                    continue;
                }

                TimeSpan wait = TimeSpan.FromSeconds(Math.Max(0, retryAt - _clock.GetTimestamp()) / (double)_clock.TimestampFrequency);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                timeout.CancelAfter(wait);
                try
                {
                    await _queue.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    // Time to retry.
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: DisposeAsync spools what is left.
        }
    }

    /// <summary>The clock's timestamp <paramref name="delay"/> from now.</summary>
    private long RetryAt(TimeSpan delay) => _clock.GetTimestamp() + (long)(delay.TotalSeconds * _clock.TimestampFrequency);

    private async Task EnsureStreamAsync(CancellationToken stopping)
    {
        var backoff = new Backoff(_delays.Initial, _delays.Maximum);
        while (true)
        {
            try
            {
                await EventSubjects.EnsureStreamAsync(_link.JetStream, _options.Stream, EventSubjects.Prefix + ">", TimeSpan.FromSeconds(_options.MaxAgeSeconds), stopping).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is NatsException or NatsJSException && !stopping.IsCancellationRequested)
            {
                LogFailing(_logger, Name, $"cannot find or create stream {_options.Stream}: {ex.Message}");
                await Task.Delay(backoff.Next(), _clock, stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task<List<Outgoing>?> ReadBatchAsync(CancellationToken stopping)
    {
        while (await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
        {
            if (TryReadBatch() is { } batch)
            {
                return batch;
            }
        }

        return null;
    }

    private List<Outgoing>? TryReadBatch()
    {
        List<Outgoing>? batch = null;
        while (batch is not { Count: BatchSize } && _queue.Reader.TryRead(out Outgoing outgoing))
        {
            (batch ??= new List<Outgoing>(BatchSize)).Add(outgoing);
        }

        return batch;
    }

    /// <summary>Publishes every message and waits for every acknowledgement; false when any failed (the batch is sent again as a whole).</summary>
    private async Task<bool> SendAsync(List<JetStreamMessage> messages, CancellationToken stopping)
    {
        BatchResult result = await _batches!.PublishAsync(messages, SchemaHeaders, SendTimeout, stopping).ConfigureAwait(false);
        _published.Add(result.Acknowledged);
        _duplicates.Add(result.Duplicates);
        if (result.Failure is not null && _delivering)
        {
            _delivering = false;
            LogFailing(_logger, Name, result.Failure);
        }

        return result.Failure is null;
    }

    private List<JetStreamMessage> Encode(List<Outgoing> batch) => _packer.Pack(batch.Select(o => (o.Event, o.Partition)));

    /// <summary>Keeps a batch in the spool, or drops and counts it when the spool is full.</summary>
    private void Spool(List<JetStreamMessage> messages)
    {
        SpoolEntry? entry;
        byte[] body = SpoolForm(messages);
        try
        {
            entry = _spool.Add(body);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The spool's folder cannot be written (full, read-only): the batch waits in memory, and is lost only
            // if Sigs stops before it is sent. /healthz names the spool's problem meanwhile.
            entry = _spool.AddToMemory(body);
        }

        if (entry is null)
        {
            Drop(messages.Sum(m => m.Count), "the spool is full");
            return;
        }

        _waiting.Add(entry);
    }

    /// <summary>
    /// A batch on disk: one line per event, <c>subject TAB message id TAB json</c> (contract JSON has no raw tab or
    /// line feed); the lines of one message follow each other.
    /// </summary>
    private static byte[] SpoolForm(List<JetStreamMessage> messages)
    {
        var buffer = new MemoryStream();
        foreach (JetStreamMessage message in messages)
        {
            byte[] prefix = Encoding.UTF8.GetBytes($"{message.Subject}\t{message.Id}\t");
            foreach (Range line in message.Body.AsSpan().Split((byte)'\n'))
            {
                buffer.Write(prefix);
                buffer.Write(message.Body.AsSpan(line));
                buffer.WriteByte((byte)'\n');
            }
        }

        return buffer.ToArray();
    }

    /// <summary>A spooled batch, or null when its file cannot be read or was changed on disk (then it is dropped).</summary>
    private List<JetStreamMessage>? Unspooled(SpoolEntry entry)
    {
        try
        {
            return Decode(DiskSpool.Read(entry));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            _waiting.RemoveAt(0);
            _spool.Remove(entry);

            Drop(1, $"spooled batch {entry.File} cannot be read ({ex.Message}); its events are lost");
            return null;
        }
    }

    /// <summary>The messages of a spooled batch, each made again from its consecutive lines.</summary>
    private static List<JetStreamMessage> Decode(byte[] spooled)
    {
        var messages = new List<JetStreamMessage>();
        var body = new MemoryStream();
        (string Subject, string Id)? open = null;
        int events = 0;
        foreach (Range range in spooled.AsSpan().TrimEnd((byte)'\n').Split((byte)'\n'))
        {
            ReadOnlySpan<byte> line = spooled.AsSpan(range);
            int first = line.IndexOf((byte)'\t');
            int second = first < 0 ? -1 : first + 1 + line[(first + 1)..].IndexOf((byte)'\t');
            if (first <= 0 || second <= first)
            {
                throw new ArgumentOutOfRangeException(nameof(spooled), "a line is not subject TAB id TAB event");
            }

            (string Subject, string Id) key = (Encoding.UTF8.GetString(line[..first]), Encoding.UTF8.GetString(line[(first + 1)..second]));
            if (open != key)
            {
                Close();
                open = key;
            }
            else
            {
                body.WriteByte((byte)'\n');
            }

            body.Write(line[(second + 1)..]);
            events++;
        }

        Close();
        return messages;

        void Close()
        {
            if (open is { } message && events > 0)
            {
                messages.Add(new JetStreamMessage(message.Subject, message.Id, body.ToArray(), events));
            }

            body.SetLength(0);
            events = 0;
        }
    }

    private void Drop(int count, string reason)
    {
        long dropped = _dropped.Add(count);
        if (dropped == count || dropped / 1000 != (dropped - count) / 1000)
        {
            LogDropped(_logger, Name, count, reason, dropped);
        }
    }

    private readonly record struct Outgoing(SecurityEvent Event, int Partition);
}
