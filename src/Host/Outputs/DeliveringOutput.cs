using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sigs.Host.Common;
using Sigs.Host.Engine;

namespace Sigs.Host.Outputs;

/// <summary>
/// Delivers each finding to a target (an HTTP receiver, NATS), one at a time, in order. A failure the target calls
/// passing (a network error, HTTP 5xx, no JetStream answer) is retried with capped, jittered backoff until it is
/// acknowledged; a refusal for good is dropped and counted. Findings wait in a bounded queue; with
/// <c>spoolDir</c> each one is written to disk first (<see cref="DiskSpool"/>) and deleted only once acknowledged,
/// so findings survive an outage and a Sigs restart. A spool that cannot write (full, read-only) keeps the finding
/// in memory while the queue has room; nothing a target or the spool throws ends the delivery loop: it is logged
/// once per change, counted as a retry, and tried again with backoff. While the target fails or the spool has a
/// problem, <see cref="DeliveryCounts.Problem"/> says so for /healthz. What cannot be queued is dropped, counted
/// and logged.
/// </summary>
internal sealed partial class DeliveringOutput : IFindingOutput
{
    private readonly IDeliveryTarget _target;
    private readonly DiskSpool? _spool;
    private readonly int _capacity;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private readonly ReconnectDelays _delays;
    private readonly RecordedCount _delivered = new();
    private readonly RecordedCount _dropped = new();
    private readonly RecordedCount _retries = new();
    private readonly TimeProvider _clock;
    private long _unspooled;
    private string? _failing; // why the target fails now, or null
    private string? _spoolProblemLogged;

    public DeliveringOutput(IDeliveryTarget target, string? spoolDir, int capacity, ILogger logger, ReconnectDelays? delays = null, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _target = target;
        _spool = spoolDir is null ? null : new DiskSpool(spoolDir, ".json", capacity, _clock);
        _capacity = capacity;
        _logger = logger;
        _delays = delays ?? ReconnectDelays.Default;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity) { SingleReader = true });
        if (_spool is not null)
        {
            RequeueSpool(_spool);
        }

        _sender = Task.Run(SendLoopAsync);
    }

    public string Name => _target.Name;

    public void Attach(SigsInstruments instruments)
    {
        _delivered.Attach(instruments, instruments.OutputDelivered, SigsInstruments.Tag("output", Name));
        _retries.Attach(instruments, instruments.OutputRetries, SigsInstruments.Tag("output", Name));
        _dropped.Attach(instruments, instruments.Drops, SigsInstruments.Tag("stage", "delivery"), SigsInstruments.Tag("output", Name));
    }

    public long Delivered => _delivered.Value;

    public long Dropped => _dropped.Value;

    public long Retries => _retries.Value;

    public DeliveryCounts Deliveries => new(Delivered, Retries, Dropped, _queue.Reader.Count, _spool?.Count ?? 0, Interlocked.Read(ref _unspooled), Problem);

    /// <summary>Why findings are not delivered or not spooled now, or null.</summary>
    private string? Problem
    {
        get
        {
            string? delivery = Volatile.Read(ref _failing) is { } failing ? $"cannot deliver ({failing}); {_queue.Reader.Count} findings wait" : null;
            string? spool = _spool?.Problem is { } problem ? $"spool: {problem}" : null;
            return delivery is null || spool is null ? delivery ?? spool : $"{delivery}; {spool}";
        }
    }

    public void Write(Finding finding, ReadOnlyMemory<byte> json)
    {
        byte[] body = _target.Message(finding, json);
        SpoolEntry? spooled = null;
        bool inMemory = false;
        if (_spool is not null)
        {
            try
            {
                if ((spooled = _spool.Add(body)) is null)
                {
                    Drop(finding.Signature.Id, "the spool is full");
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                inMemory = true; // the queue still has it; lost only if Sigs stops before it is delivered
            }

            ReportSpool();
        }

        if (!_queue.Writer.TryWrite(new Pending(body, spooled, inMemory)))
        {
            Drop(finding.Signature.Id, "the queue is full");
            if (spooled is not null)
            {
                _spool!.Remove(spooled);
            }

            return;
        }

        if (inMemory)
        {
            Interlocked.Increment(ref _unspooled);
        }
    }

    public void Dispose()
    {
        // The send loop catches everything but cancellation, so these waits never throw.
        _queue.Writer.TryComplete();
        if (!_sender.Wait(TimeSpan.FromSeconds(5)))
        {
            _stop.Cancel();
            _sender.Wait(TimeSpan.FromSeconds(5));
        }

        int left = _queue.Reader.Count;
        if (left > 0)
        {
            long inMemory = Interlocked.Read(ref _unspooled);
            LogUndelivered(_logger, Name, left, _spool is null ? "they are lost"
                : inMemory > 0 ? $"{inMemory} of them could not be spooled and are lost, the others stay in {_spool.Folder} for the next start"
                : $"they stay in {_spool.Folder} for the next start");
        }

        _target.Dispose();
        _stop.Dispose();
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (Pending pending in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await DeliverAsync(pending).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping; what is left is reported by Dispose.
        }
    }

    /// <summary>
    /// Sends one finding until it is acknowledged or refused for good. A failure, or anything the target throws, is
    /// retried with backoff; the spool's own errors never reach here (<see cref="DiskSpool.Remove"/>).
    /// </summary>
    private async Task DeliverAsync(Pending pending)
    {
        var backoff = new Backoff(_delays.Initial, _delays.Maximum);
        while (true)
        {
            DeliveryResult result;
            try
            {
                result = await _target.SendAsync(pending.Body, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                result = DeliveryResult.Failed($"{ex.GetType().Name}: {ex.Message}");
            }

            if (result.Status != DeliveryStatus.Failed)
            {
                if (result.Status == DeliveryStatus.Delivered)
                {
                    _delivered.Add();
                    if (Interlocked.Exchange(ref _failing, null) is not null)
                    {
                        LogRecovered(_logger, Name);
                    }
                }
                else
                {
                    Drop("(finding)", result.Reason!);
                }

                if (pending.Spooled is not null)
                {
                    _spool!.Remove(pending.Spooled);
                    ReportSpool();
                }

                if (pending.InMemoryOnly)
                {
                    Interlocked.Decrement(ref _unspooled);
                }

                return;
            }

            if (Interlocked.Exchange(ref _failing, result.Reason!) is null)
            {
                LogFailing(_logger, Name, result.Reason!);
            }

            _retries.Add();
            await Task.Delay(backoff.Next(), _clock, _stop.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Logs the spool's problem once when it appears or changes, and once when it is gone.</summary>
    private void ReportSpool()
    {
        string? problem = _spool!.Problem;
        string? logged = Volatile.Read(ref _spoolProblemLogged);
        if (problem == logged || Interlocked.CompareExchange(ref _spoolProblemLogged, problem, logged) != logged)
        {
            return;
        }

        if (problem is null)
        {
            LogSpoolRecovered(_logger, Name);
        }
        else
        {
            LogSpoolFailing(_logger, Name, problem);
        }
    }

    /// <summary>Findings spooled by an earlier run go first, oldest first.</summary>
    private void RequeueSpool(DiskSpool spool)
    {
        foreach (SpoolEntry entry in spool.Existing.Take(_capacity))
        {
            _queue.Writer.TryWrite(new Pending(DiskSpool.Read(entry), entry));
        }

        if (spool.LeftoversRemoved > 0)
        {
            LogLeftoversRemoved(_logger, Name, spool.LeftoversRemoved, spool.Folder!);
        }

        if (spool.Existing.Count > 0)
        {
            LogRequeued(_logger, Name, Math.Min(spool.Existing.Count, _capacity), spool.Folder!);
        }
    }

    private void Drop(string signature, string reason)
    {
        _dropped.Add();
        LogDropped(_logger, Name, signature, reason, Dropped);
    }

    private sealed record Pending(byte[] Body, SpoolEntry? Spooled, bool InMemoryOnly = false);
}
