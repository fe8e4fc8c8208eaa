using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Sigs.Host.Common;

/// <summary>
/// Delivers messages to a target one at a time, in order, at least once: the one mechanism of the delivering outputs
/// and of the forwards. Messages wait in a bounded queue. A failure the target calls passing (a network error, HTTP
/// 5xx, no JetStream answer), or anything it throws, is retried with capped, jittered backoff until acknowledged, and
/// what follows waits behind it; a refusal for good is dropped and counted. The spool (<see cref="DiskSpool"/>) keeps
/// messages on disk, each one before it is queued (<see cref="SpoolWhen.Always"/>) or from the first failure until
/// the spool is sent (<see cref="SpoolWhen.Behind"/>), so they survive an outage and a restart; what an earlier run
/// spooled goes first. A spool that cannot write keeps the message in memory while it has room. Nothing the target
/// or the spool throws ends the delivery: it is logged once per change, and <see cref="Problem"/> says so for
/// /healthz meanwhile. What cannot be kept is dropped, counted in items (findings, events) and logged.
/// </summary>
internal sealed class Delivery<T> : IAsyncDisposable
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(5);

    private readonly DeliveryNames _names;
    private readonly Func<T, CancellationToken, Task<DeliveryResult>> _send;
    private readonly IDeliveryForm<T> _form;
    private readonly DiskSpool _spool;
    private readonly SpoolWhen _when;
    private readonly bool _logEachDrop;
    private readonly Channel<Pending> _queue;
    private readonly List<SpoolEntry> _waiting; // spooled messages that go before the queue, oldest first; the loop's alone
    private readonly ILogger _logger;
    private readonly ReconnectDelays _delays;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _waitingCount;
    private volatile bool _prepared;
    private long _unspooled;
    private string? _failing; // why the target fails now, or null
    private string? _spoolProblemLogged;

    /// <param name="logEachDrop">Log every drop (findings); otherwise the first and then one in a thousand items (events).</param>
    public Delivery(
        DeliveryNames names,
        Func<T, CancellationToken, Task<DeliveryResult>> send,
        IDeliveryForm<T> form,
        DiskSpool spool,
        SpoolWhen when,
        int queueCapacity,
        ILogger logger,
        ReconnectDelays? delays = null,
        TimeProvider? clock = null,
        bool logEachDrop = false)
    {
        _names = names;
        _send = send;
        _form = form;
        _spool = spool;
        _when = when;
        _logEachDrop = logEachDrop;
        _logger = logger;
        _delays = delays ?? ReconnectDelays.Default;
        _clock = clock ?? TimeProvider.System;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(queueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _waiting = [.. spool.Existing];
        _waitingCount = _waiting.Count;
        if (spool.LeftoversRemoved > 0)
        {
            DeliveryLog.LeftoversRemoved(_logger, names.Role, names.Name, spool.LeftoversRemoved, spool.Folder!);
        }

        if (_waiting.Count > 0)
        {
            DeliveryLog.Requeued(_logger, names.Role, names.Name, _waiting.Count, spool.Folder!);
        }
    }

    /// <summary>Messages the target acknowledged.</summary>
    public RecordedCount Delivered { get; } = new();

    /// <summary>Sends that failed and were tried again.</summary>
    public RecordedCount Retries { get; } = new();

    /// <summary>Items (findings, events) dropped for good.</summary>
    public RecordedCount Dropped { get; } = new();

    /// <summary>Messages not delivered yet: queued in memory, and spooled ones waiting to be sent again.</summary>
    public int Queued => _queue.Reader.Count + Volatile.Read(ref _waitingCount);

    /// <summary>Messages kept in the spool now.</summary>
    public long Spooled => _spool.Count;

    /// <summary>Messages waiting in memory only, because the spool's folder could not write them.</summary>
    public long Unspooled => Interlocked.Read(ref _unspooled);

    /// <summary>True once prepared (connected, say), while sends succeed and nothing waits in the spool to be sent again.</summary>
    public bool Delivering => _prepared && Volatile.Read(ref _failing) is null && Volatile.Read(ref _waitingCount) == 0;

    /// <summary>Why the spool cannot write or delete now, or null.</summary>
    public string? SpoolProblem => _spool.Problem;

    /// <summary>Why messages are not delivered or not spooled now, or null.</summary>
    public string? Problem
    {
        get
        {
            string? delivery = Volatile.Read(ref _failing) is { } failing ? $"cannot deliver ({failing}); {Queued} messages wait" : null;
            string? spool = _spool.Problem is { } problem ? $"spool: {problem}" : null;
            return delivery is null || spool is null ? delivery ?? spool : $"{delivery}; {spool}";
        }
    }

    /// <summary>Starts delivering, after <paramref name="prepare"/> (connecting, say) when given; what it throws is a failure, and it is run again with backoff until it returns.</summary>
    public void Start(Func<CancellationToken, Task>? prepare = null) => _loop = Task.Run(() => RunAsync(prepare, _stop.Token));

    /// <summary>Takes a message without waiting; what cannot be kept is dropped, counted and logged, naming <paramref name="what"/>.</summary>
    /// <returns>False when it was dropped.</returns>
    public bool TryWrite(T message, string what)
    {
        SpoolEntry? entry = null;
        if (_when == SpoolWhen.Always && (entry = Keep(message, what)) is null)
        {
            return false;
        }

        if (_queue.Writer.TryWrite(new Pending(message, entry)))
        {
            return true;
        }

        if (entry is not null)
        {
            Forget(entry);
        }

        Drop(_form.Items(message), what, "the queue is full");
        return false;
    }

    /// <summary>Takes a message, waiting while the queue is full (for a batching writer with a queue of its own).</summary>
    public ValueTask WriteAsync(T message, CancellationToken cancellationToken) =>
        _when == SpoolWhen.Always
            ? throw new InvalidOperationException("a delivery that spools every message takes them with TryWrite")
            : _queue.Writer.WriteAsync(new Pending(message, null), cancellationToken);

    /// <inheritdoc cref="DisposeAsync(IEnumerable{T})"/>
    public ValueTask DisposeAsync() => DisposeAsync([]);

    /// <summary>
    /// Stops: what is queued gets <see cref="StopWait"/> to be delivered (none while the target fails), then what is left, and
    /// <paramref name="leftovers"/> (a writer's own queue), stays in the spool: on disk for the next start.
    /// </summary>
    public async ValueTask DisposeAsync(IEnumerable<T> leftovers)
    {
        _queue.Writer.TryComplete();
        if (Volatile.Read(ref _failing) is not null || await Task.WhenAny(_loop, Task.Delay(StopWait)).ConfigureAwait(false) != _loop)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false); // the loop ends on cancellation and throws nothing else
        }

        while (_queue.Reader.TryRead(out Pending pending))
        {
            if (pending.Entry is null)
            {
                Keep(pending.Message, Describe(pending.Message));
            }
        }

        foreach (T message in leftovers)
        {
            Keep(message, Describe(message));
        }

        long left = _spool.Count;
        if (left > 0)
        {
            long inMemory = Unspooled;
            DeliveryLog.Undelivered(_logger, _names.Role, _names.Name, left, _spool.Folder is null ? "they are lost"
                : inMemory > 0 ? $"{inMemory} of them could not be spooled and are lost, the others stay in {_spool.Folder} for the next start"
                : $"they stay in {_spool.Folder} for the next start");
        }

        _stop.Dispose();
    }

    private async Task RunAsync(Func<CancellationToken, Task>? prepare, CancellationToken stopping)
    {
        try
        {
            var backoff = new Backoff(_delays.Initial, _delays.Maximum);
            while (prepare is not null)
            {
                try
                {
                    await prepare(stopping).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    // Whatever preparing throws (a timeout of the client's own, say) is tried again: the loop never dies.
                    Failed($"{ex.GetType().Name}: {ex.Message}");
                    await Task.Delay(backoff.Next(), _clock, stopping).ConfigureAwait(false);
                }
            }

            backoff.Reset();
            _prepared = true;
            if (Interlocked.Exchange(ref _failing, null) is not null)
            {
                DeliveryLog.Recovered(_logger, _names.Role, _names.Name); // prepared at last: not failing before anything is sent
            }

            long retryAt = 0;
            while (true)
            {
                if (_waiting.Count == 0)
                {
                    if (!await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
                    {
                        return; // completed and delivered
                    }

                    if (_queue.Reader.TryRead(out Pending next) && !await SendAsync(next.Message, next.Entry, stopping).ConfigureAwait(false))
                    {
                        Hold(next);
                        retryAt = RetryAt(backoff.Next());
                    }

                    continue;
                }

                if (_clock.GetTimestamp() >= retryAt)
                {
                    SpoolEntry oldest = _waiting[0];
                    if (!TryUnspool(oldest, out T message))
                    {
                        continue; // unreadable: dropped, counted and logged
                    }

                    if (await SendAsync(message, oldest, stopping).ConfigureAwait(false))
                    {
                        RemoveOldest();
                        backoff.Reset();
                        continue;
                    }

                    retryAt = RetryAt(backoff.Next());
                }

                // Waiting to retry: what arrives meanwhile waits behind the rest (in the spool), so order holds.
                if (_queue.Reader.TryRead(out Pending queued))
                {
                    Hold(queued);
                    continue;
                }

                TimeSpan wait = _clock.GetElapsedTime(_clock.GetTimestamp(), Math.Max(_clock.GetTimestamp(), retryAt));
                using var timeout = new CancellationTokenSource(wait, _clock);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
                try
                {
                    if (!await _queue.Reader.WaitToReadAsync(either.Token).ConfigureAwait(false))
                    {
                        await Task.Delay(wait, _clock, stopping).ConfigureAwait(false); // stopping: nothing more will come
                    }
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    // Time to retry.
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: DisposeAsync keeps what is left.
        }
    }

    /// <summary>Sends one message; true when done with it (acknowledged, or refused for good and dropped), false when it failed.</summary>
    private async Task<bool> SendAsync(T message, SpoolEntry? entry, CancellationToken stopping)
    {
        DeliveryResult result;
        try
        {
            result = await _send(message, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            result = DeliveryResult.Failed($"{ex.GetType().Name}: {ex.Message}");
        }

        switch (result.Status)
        {
            case DeliveryStatus.Failed:
                Failed(result.Reason!);
                return false;
            case DeliveryStatus.Delivered:
                Delivered.Add();
                if (Interlocked.Exchange(ref _failing, null) is not null)
                {
                    DeliveryLog.Recovered(_logger, _names.Role, _names.Name);
                }

                break;
            default:
                Drop(_form.Items(message), Describe(message), result.Reason!);
                break;
        }

        if (entry is not null)
        {
            Forget(entry);
        }

        return true;
    }

    /// <summary>Counts a failed attempt; logs the failure once until it recovers.</summary>
    private void Failed(string reason)
    {
        if (Interlocked.Exchange(ref _failing, reason) is null)
        {
            DeliveryLog.Failing(_logger, _names.Role, _names.Name, reason, _names.Items);
        }

        Retries.Add();
    }

    /// <summary>A message that cannot go now waits behind the others: in the spool, where it is already with <see cref="SpoolWhen.Always"/>.</summary>
    private void Hold(Pending pending)
    {
        if ((pending.Entry ?? Keep(pending.Message, Describe(pending.Message))) is { } entry)
        {
            _waiting.Add(entry);
            Volatile.Write(ref _waitingCount, _waiting.Count);
        }
    }

    /// <summary>Spools one message, in memory when the folder cannot be written; null (dropped) when the spool is full.</summary>
    private SpoolEntry? Keep(T message, string what)
    {
        byte[] body = _form.ToSpool(message);
        SpoolEntry? entry;
        try
        {
            entry = _spool.Add(body);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Lost only if Sigs stops before it is delivered; the spool's problem is logged and on /healthz meanwhile.
            if ((entry = _spool.AddToMemory(body)) is not null)
            {
                Interlocked.Increment(ref _unspooled);
            }
        }

        ReportSpool();
        if (entry is null)
        {
            Drop(_form.Items(message), what, _spool.Folder is null ? "the queue is full" : "the spool is full");
        }

        return entry;
    }

    /// <summary>Forgets a delivered or dropped message's spool entry.</summary>
    private void Forget(SpoolEntry entry)
    {
        _spool.Remove(entry);
        if (entry.File is null && _spool.Folder is not null)
        {
            Interlocked.Decrement(ref _unspooled);
        }

        ReportSpool();
    }

    private void RemoveOldest()
    {
        _waiting.RemoveAt(0);
        Volatile.Write(ref _waitingCount, _waiting.Count);
    }

    /// <summary>The oldest waiting message read back; false when it cannot be read (then it is dropped).</summary>
    private bool TryUnspool(SpoolEntry entry, out T message)
    {
        try
        {
            message = _form.FromSpool(DiskSpool.Read(entry));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            RemoveOldest();
            Forget(entry);
            Drop(1, "a spooled message", $"{entry.File} cannot be read ({ex.Message}); what it held is lost");
            message = default!;
            return false;
        }
    }

    /// <summary>A message as the logs name it: its count of items, "3 events".</summary>
    private string Describe(T message) => $"{_form.Items(message)} {_names.Items}";

    /// <summary>The clock's timestamp <paramref name="delay"/> from now.</summary>
    private long RetryAt(TimeSpan delay) => _clock.GetTimestamp() + (long)(delay.TotalSeconds * _clock.TimestampFrequency);

    /// <summary>Logs the spool's problem once when it appears or changes, and once when it is gone.</summary>
    private void ReportSpool()
    {
        string? problem = _spool.Problem;
        string? logged = Volatile.Read(ref _spoolProblemLogged);
        if (problem == logged || Interlocked.CompareExchange(ref _spoolProblemLogged, problem, logged) != logged)
        {
            return;
        }

        if (problem is null)
        {
            DeliveryLog.SpoolRecovered(_logger, _names.Role, _names.Name);
        }
        else
        {
            DeliveryLog.SpoolFailing(_logger, _names.Role, _names.Name, problem, _names.Items);
        }
    }

    /// <summary>Counts and logs items dropped before they reached the delivery (a writer's own queue was full), or by it.</summary>
    public void Drop(int items, string what, string reason)
    {
        long dropped = Dropped.Add(items);
        if (_logEachDrop || dropped == items || dropped / 1000 != (dropped - items) / 1000)
        {
            DeliveryLog.Dropped(_logger, _names.Role, _names.Name, what, reason, dropped, _names.Items);
        }
    }

    private readonly record struct Pending(T Message, SpoolEntry? Entry);
}
